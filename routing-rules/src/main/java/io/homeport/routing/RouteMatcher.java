package io.homeport.routing;

import io.homeport.rules.Route;
import java.util.List;

/**
 * {@link io.homeport.rules.RoutingRules#routeIndexFor} with the routes unpacked into arrays once:
 * the hot path reads no Optional and re-derives no wildcard suffix per request. Same answers.
 */
final class RouteMatcher {

    /** Per route: the exact host, or null. */
    private final String[] hosts;
    /** Per route: for {@code *.example.com}, {@code .example.com}; else null. */
    private final String[] suffixes;
    private final String[] prefixes;

    RouteMatcher(List<Route> routes) {
        int count = routes.size();
        hosts = new String[count];
        suffixes = new String[count];
        prefixes = new String[count];
        for (int i = 0; i < count; i++) {
            Route route = routes.get(i);
            String host = route.host().orElse(null);
            if (host != null && host.startsWith("*.")) {
                suffixes[i] = host.substring(1);
            } else {
                hosts[i] = host;
            }
            prefixes[i] = route.pathPrefix();
        }
    }

    /** The index of the first route that takes the request, or the number of routes (the default route). */
    int indexFor(String host, String path) {
        String requestPath = path == null ? "/" : path;
        for (int i = 0; i < prefixes.length; i++) {
            String exact = hosts[i];
            String suffix = suffixes[i];
            if (exact != null) {
                if (host == null || !exact.equalsIgnoreCase(host)) {
                    continue;
                }
            } else if (suffix != null) {
                if (host == null || host.length() <= suffix.length()
                        || !host.regionMatches(true, host.length() - suffix.length(), suffix, 0, suffix.length())) {
                    continue;
                }
            }
            if (requestPath.startsWith(prefixes[i])) {
                return i;
            }
        }
        return prefixes.length;
    }
}
