package io.homeport.rules;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Collections;

/** A validated rules file: immutable, safe to share between threads. */
public record RoutingRules(
        int version,
        Map<String, Region> regions,
        Residency residency,
        List<Route> routes,
        List<RuleTest> tests,
        RulesSource source) {

    public RoutingRules {
        regions = Collections.unmodifiableMap(new LinkedHashMap<>(regions));
        routes = List.copyOf(routes);
        tests = List.copyOf(tests);
    }

    public Region region(String name) {
        Region region = regions.get(name);
        if (region == null) {
            throw new IllegalArgumentException("region: " + name + " (expected one of " + regions.keySet() + ")");
        }
        return region;
    }

    /** The first route that takes the request, or {@link Route#DEFAULT}. */
    public Route routeFor(String host, String path) {
        int index = routeIndexFor(host, path);
        return index < routes.size() ? routes.get(index) : Route.DEFAULT;
    }

    /**
     * The index in {@link #routes} of the first route that takes the request, or {@code
     * routes().size()} when none does (the request is on {@link Route#DEFAULT}).
     */
    public int routeIndexFor(String host, String path) {
        for (int i = 0, n = routes.size(); i < n; i++) { // indexed: no iterator on the hot path
            if (routes.get(i).matches(host, path)) {
                return i;
            }
        }
        return routes.size();
    }
}
