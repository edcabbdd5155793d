package io.homeport.routing;

import io.homeport.rules.Route;
import io.homeport.rules.RoutingRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Interned decisions: every decision is one of routes x regions x reasons x countries, so each is
 * made once and then shared, and the hot path allocates nothing. A migration is fixed by the
 * country (a country is in one migration at most), so it needs no dimension of its own.
 *
 * <p>The hot path addresses decisions by index (route index, region index, reason, {@link
 * CountryPlans country index}); a country's decisions for one route sit side by side. Decisions
 * are made lazily: a decision is a record of final fields, so one published through a plain array
 * read by another thread is seen whole; racing threads may each make one, they are equal, and one
 * of them stays.
 */
final class DecisionTable {

    private static final int REASONS = Reason.values().length;

    private final Route[] routes;
    private final String[] regions;
    private final Decision[] decisions;
    private final Map<Route, Integer> routeIndexes = new IdentityHashMap<>();
    private final Map<String, Integer> regionIndexes = new HashMap<>();

    DecisionTable(RoutingRules rules) {
        List<Route> allRoutes = new ArrayList<>(rules.routes());
        allRoutes.add(Route.DEFAULT);
        this.routes = allRoutes.toArray(new Route[0]);
        this.regions = rules.regions().keySet().toArray(new String[0]);
        this.decisions = new Decision[routes.length * regions.length * REASONS * CountryPlans.COUNTRIES];
        for (int i = routes.length - 1; i >= 0; i--) { // the first of equal routes wins, as routeFor's order
            routeIndexes.put(routes[i], i);
        }
        for (int i = 0; i < regions.length; i++) {
            regionIndexes.put(regions[i], i);
        }
    }

    /** Whether {@code region} is one of these rules' regions. */
    boolean hasRegion(String region) {
        return regionIndexes.containsKey(region);
    }

    /**
     * The index of {@code region}, or -1 when it is not one of these rules' regions: a scan, not a
     * hash, because a pin store's value is a fresh string (its hash not yet computed) and the
     * regions are few; equal strings compare by identity first.
     */
    int regionIndex(String region) {
        for (int i = 0; i < regions.length; i++) {
            if (regions[i].equals(region)) {
                return i;
            }
        }
        return -1;
    }

    /** The regions in index order. */
    List<String> regions() {
        return List.of(regions);
    }

    /**
     * The decision at these indexes; {@code route} is a {@link RoutingRules#routeIndexFor} index
     * (the default route is the last), {@code countryCode} the country that {@code country} indexes.
     */
    Decision get(int route, int region, Reason reason, int country, String countryCode, String migration) {
        int index = ((country * routes.length + route) * REASONS + reason.ordinal()) * regions.length + region;
        Decision decision = decisions[index];
        if (decision == null) {
            decision = new Decision(routes[route], regions[region], reason, countryCode, migration);
            decisions[index] = decision;
        }
        return decision;
    }

    /** The same by value, for the explaining path. */
    Decision get(Route route, String region, Reason reason, String country, String migration) {
        Integer routeIndex = routeIndexes.get(route);
        Integer regionIndex = region == null ? null : regionIndexes.get(region);
        int countryIndex = CountryPlans.indexOf(country);
        if (routeIndex == null || regionIndex == null || countryIndex < 0) {
            return new Decision(route, region, reason, country, migration); // not from these rules: don't intern
        }
        return get(routeIndex, regionIndex, reason, countryIndex, country, migration);
    }
}
