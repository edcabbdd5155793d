package io.homeport.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.rules.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The unpacked route matcher answers as the rules' own {@code routeFor}, on fuzzed routes and requests. */
class RouteMatcherTest {

    private static final String[] HOSTS = {
        null, "", "api.example.com", "API.Example.com", "push.example.com", "a.tenants.example.com",
        ".tenants.example.com", "tenants.example.com", "x.y.TENANTS.example.COM", "example.com", "evilexample.com"};
    private static final String[] PATHS = {null, "", "/", "/api", "/api/", "/api/x", "/v2/sync/items", "/v2/sync", "/static/a.css", "api/"};
    private static final String[] ROUTE_HOSTS = {null, "api.example.com", "*.tenants.example.com", "*.example.com", "push.example.com"};
    private static final String[] PREFIXES = {"/", "/api/", "/v2/sync/", "/static/", "/api"};

    @Test
    void answersAsRouteMatchesInOrder() {
        Random random = new Random(3);
        for (int round = 0; round < 2_000; round++) {
            List<Route> routes = new ArrayList<>();
            for (int n = random.nextInt(6); n > 0; n--) {
                routes.add(new Route("r" + n, Optional.ofNullable(ROUTE_HOSTS[random.nextInt(ROUTE_HOSTS.length)]),
                        PREFIXES[random.nextInt(PREFIXES.length)]));
            }
            RouteMatcher matcher = new RouteMatcher(routes);
            for (String host : HOSTS) {
                for (String path : PATHS) {
                    int expected = routes.size();
                    for (int i = 0; i < routes.size(); i++) {
                        if (routes.get(i).matches(host, path)) {
                            expected = i;
                            break;
                        }
                    }
                    assertThat(matcher.indexFor(host, path)).as("%s %s %s", routes, host, path).isEqualTo(expected);
                }
            }
        }
    }
}
