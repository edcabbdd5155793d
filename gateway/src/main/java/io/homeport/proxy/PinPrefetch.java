package io.homeport.proxy;

import io.homeport.routing.Decision;
import io.homeport.rules.RoutingRules;
import java.util.concurrent.CompletionStage;

/**
 * Fetches a user's pin when the rules keep pins in Redis and the near-cache does not hold it: the
 * decision itself never waits (it reads what the near-cache holds), so a framing decides first
 * and, when it gets a stage here, holds the request — reading nothing more from the client — until
 * it completes, then decides again. Most requests' users are in the near-cache: their decision
 * stands, and the near-cache was read once.
 */
@FunctionalInterface
public interface PinPrefetch {

    /** No pin store: every decision stands. */
    PinPrefetch NONE = (rules, userId, decision) -> null;

    /**
     * Null when {@code decision} stands; else a stage that completes — normally, whether the pin
     * was found, absent or unavailable — once the request can be decided again.
     *
     * @param decision what the request was decided to be without waiting; null to ask the
     *     near-cache alone (an explanation, which decides only afterwards)
     */
    CompletionStage<?> before(RoutingRules rules, String userId, Decision decision);
}
