package io.homeport.proxy;

import io.homeport.routing.Decision;
import io.homeport.rules.Region;
import io.homeport.rules.RoutingRules;

/**
 * The last line of defence, independent of the decision and of {@link
 * io.homeport.upstream.RegionSelector}: where a response is sent, the region that served it must be
 * the request's home region or one its rules let it fail over to. Anything else is a residency
 * violation, counted as {@code homeport_residency_violations_total}; it must never happen.
 */
public final class ResidencyCheck {

    private ResidencyCheck() {}

    /**
     * Whether serving {@code decision}'s request from {@code servingRegion} keeps residency. A
     * request no region served (refused, or failed before an endpoint was chosen) keeps it.
     */
    public static boolean allowed(RoutingRules rules, Decision decision, String servingRegion) {
        if (servingRegion == null) {
            return true;
        }
        String home = decision.region();
        if (home == null) {
            return false; // refused by its decision, yet served
        }
        if (home.equals(servingRegion)) {
            return true;
        }
        Region region = rules.regions().get(home);
        return region != null && region.failOverTo().contains(servingRegion);
    }
}
