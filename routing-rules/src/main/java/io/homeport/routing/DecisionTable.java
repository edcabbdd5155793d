package io.homeport.routing;

import io.homeport.rules.Route;
import io.homeport.rules.RoutingRules;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Interned decisions: every decision is one of routes x regions x reasons x countries, so each is
 * made once and then shared, and the hot path allocates nothing. A migration is fixed by the
 * country (a country is in one migration at most), so it needs no dimension of its own.
 */
final class DecisionTable {

    /** Two letters A-Z, plus one slot for "no country". */
    private static final int COUNTRIES = 26 * 26 + 1;
    private static final int REASONS = Reason.values().length;

    private final Route[] routes;
    private final String[] regions;
    private final AtomicReferenceArray<Decision> decisions;

    DecisionTable(RoutingRules rules) {
        List<Route> allRoutes = new ArrayList<>(rules.routes());
        allRoutes.add(Route.DEFAULT);
        this.routes = allRoutes.toArray(new Route[0]);
        this.regions = rules.regions().keySet().toArray(new String[0]);
        this.decisions = new AtomicReferenceArray<>(routes.length * regions.length * REASONS * COUNTRIES);
    }

    Decision get(Route route, String region, Reason reason, String country, String migration) {
        int routeIndex = indexOfRoute(route);
        int regionIndex = indexOfRegion(region);
        int countryIndex = countryIndex(country);
        if (routeIndex < 0 || regionIndex < 0 || countryIndex < 0) {
            return new Decision(route, region, reason, country, migration); // not from these rules: don't intern
        }
        int index = ((routeIndex * regions.length + regionIndex) * REASONS + reason.ordinal()) * COUNTRIES + countryIndex;
        Decision decision = decisions.get(index);
        if (decision == null) {
            // Racing threads may each make one; they are equal, and one of them stays.
            decision = new Decision(route, region, reason, country, migration);
            decisions.lazySet(index, decision);
        }
        return decision;
    }

    /** Routes come from the same rules, so identity finds them; record equality would cost more. */
    private int indexOfRoute(Route route) {
        for (int i = 0; i < routes.length; i++) {
            if (routes[i] == route) {
                return i;
            }
        }
        return -1;
    }

    private int indexOfRegion(String region) {
        for (int i = 0; i < regions.length; i++) {
            if (regions[i] == region || regions[i].equals(region)) {
                return i;
            }
        }
        return -1;
    }

    private static int countryIndex(String country) {
        if (country == null) {
            return COUNTRIES - 1;
        }
        if (country.length() != 2) {
            return -1;
        }
        int first = country.charAt(0) - 'A';
        int second = country.charAt(1) - 'A';
        if (first < 0 || first >= 26 || second < 0 || second >= 26) {
            return -1;
        }
        return first * 26 + second;
    }
}
