package io.homeport.routing;

import io.homeport.rules.Route;

/**
 * The home region of one request and why.
 *
 * @param country the client's country, or null when unknown (the decision then is by pin or default)
 * @param migration the migration that moved the request, when the reason is MIGRATION, else null
 */
public record Decision(Route route, String region, Reason reason, String country, String migration) {}
