package io.homeport.proxy;

import io.homeport.rules.RoutingRules;
import java.util.concurrent.CompletionStage;

/**
 * Fetches a user's pin before the request is decided, when the rules keep pins in Redis: the
 * decision itself never waits (it reads what the near-cache holds), so a framing that gets a
 * stage here holds the request — reading nothing more from the client — until it completes, then
 * decides. Most requests find their user in the near-cache and get null: decided at once.
 */
@FunctionalInterface
public interface PinPrefetch {

    /** No pin store: every request is decided at once. */
    PinPrefetch NONE = (rules, userId) -> null;

    /**
     * Null when the request can be decided now; else a stage that completes — normally, whether the
     * pin was found, absent or unavailable — once it can.
     */
    CompletionStage<?> before(RoutingRules rules, String userId);
}
