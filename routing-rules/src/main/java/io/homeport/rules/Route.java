package io.homeport.rules;

import java.util.Optional;

/**
 * A named slice of traffic, matched by host and path prefix; routes label requests in metrics and
 * explanations. The first route that matches wins; a request no route matches is on the
 * {@link #DEFAULT} route.
 *
 * @param host an exact host, {@code *.example.com} for any subdomain, or empty for any host
 */
public record Route(String name, Optional<String> host, String pathPrefix) {

    public static final Route DEFAULT = new Route("default", Optional.empty(), "/");

    /** Whether this route takes a request for {@code requestHost} (port already removed) and {@code path}. */
    public boolean matches(String requestHost, String path) {
        if (host.isPresent()) {
            if (requestHost == null) {
                return false;
            }
            String wanted = host.get();
            if (wanted.startsWith("*.")) {
                String suffix = wanted.substring(1);
                if (!(requestHost.length() > suffix.length() && endsWithIgnoreCase(requestHost, suffix))) {
                    return false;
                }
            } else if (!wanted.equalsIgnoreCase(requestHost)) {
                return false;
            }
        }
        return (path == null ? "/" : path).startsWith(pathPrefix);
    }

    private static boolean endsWithIgnoreCase(String value, String suffix) {
        return value.regionMatches(true, value.length() - suffix.length(), suffix, 0, suffix.length());
    }
}
