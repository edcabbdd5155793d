package io.homeport.routing;

import io.homeport.rules.Route;

/**
 * The home region of one request and why.
 *
 * @param region the home region, or null when the request must be refused: its GeoIP lookup failed
 *     and {@code residency.on_lookup_error} is {@code reject} (the gateway answers 503)
 * @param country the client's country, or null when unknown (the decision then is by pin or default)
 * @param migration the migration that moved the request, when the reason is MIGRATION, else null
 */
public record Decision(Route route, String region, Reason reason, String country, String migration) {

    /** True when no region may serve the request (see {@code region}). */
    public boolean refused() {
        return region == null;
    }
}
