package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.geoip.CachingGeoLookup;
import io.homeport.reload.ServingConfig;
import io.homeport.routing.CountryLookup;
import io.homeport.routing.GeoLookup;
import io.homeport.routing.RoutingSnapshot;
import io.homeport.rules.RulesLoader;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GeoIP lookup that fails at run time is never silent and never guessed: with the default
 * {@code residency.on_lookup_error: reject} the request gets 503 with Retry-After and reaches no
 * backend; with {@code default_region} it goes to the default region, reason {@code lookup_error}.
 * A verified database cannot be made to fail, so the gateway is given a lookup that fails for
 * China's test network in front of the real database, through the same port the database uses.
 */
class LookupErrorTest {

    @TempDir
    Path dir;

    /** The real database, except that lookups in 1.2.4.0/24 fail. */
    private static GeoLookup failingFor124(GeoLookup database) {
        return new GeoLookup() {
            @Override
            public CountryLookup lookup(InetAddress address) {
                byte[] bytes = address.getAddress();
                boolean damaged = bytes.length == 4 && bytes[0] == 1 && bytes[1] == 2 && bytes[2] == 4;
                return damaged ? CountryLookup.FAILED : database.lookup(address);
            }

            @Override
            public String description() {
                return database.description();
            }
        };
    }

    private static void serveWithFailingLookups(TestGateway gateway) throws Exception {
        ServingConfig current = gateway.homeport.config().current();
        CachingGeoLookup geo = new CachingGeoLookup(failingFor124(current.database()), 1000);
        RoutingSnapshot snapshot = new RoutingSnapshot(new RulesLoader().load(gateway.rules), geo);
        gateway.homeport.config().swap(new ServingConfig(snapshot, current.database(), geo));
    }

    @Test
    void aFailedLookupIsRefusedWith503AndRetryAfterAndReachesNoBackend() throws Exception {
        try (TestGateway gateway = new TestGateway(dir)) {
            serveWithFailingLookups(gateway);
            for (String path : new String[] {"/", "/api/users"}) { // the direct path and a route
                HttpResponse<String> refused = gateway.get(path, "1.2.4.8");
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
                assertThat(refused.body()).contains("no region may serve this request now").doesNotContain("GeoIP");
            }
            HttpResponse<String> post = gateway.client.send(java.net.http.HttpRequest.newBuilder(gateway.uri("/upload"))
                    .header("X-Forwarded-For", "1.2.4.8").POST(java.net.http.HttpRequest.BodyPublishers.ofString("x"))
                    .build(), HttpResponse.BodyHandlers.ofString()); // the codec path
            assertThat(post.statusCode()).isEqualTo(503);
            assertThat(gateway.beijing.received).isEmpty();
            assertThat(gateway.us.received).isEmpty();
            assertThat(gateway.singapore.received).isEmpty();

            HttpResponse<String> pinned = gateway.get("/", "1.2.4.8", "X-User-Id", "u-pinned-sg");
            assertThat(pinned.statusCode()).isEqualTo(200); // a pin needs no country
            assertThat(gateway.singapore.received).hasSize(1);
            assertThat(gateway.get("/", "165.21.83.88").statusCode()).isEqualTo(200); // other networks are served

            assertThat(gateway.homeport.metrics().residencyViolations()).isZero();
            assertThat(gateway.homeport.metrics().scrape())
                    .contains("homeport_decisions_total{reason=\"lookup_error\"} 3.0")
                    .contains("homeport_geoip_lookup_errors_total");
        }
    }

    @Test
    void onLookupErrorDefaultRegionSendsTheRequestToTheDefaultRegion() throws Exception {
        try (TestGateway gateway = new TestGateway(dir)) {
            String rules = Files.readString(gateway.rules).replace("  default_region: us\n",
                    "  default_region: us\n  on_lookup_error: default_region\n");
            Files.writeString(gateway.rules, rules);
            serveWithFailingLookups(gateway);
            HttpResponse<String> response = gateway.get("/", "1.2.4.8");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(gateway.us.received).hasSize(1);
            assertThat(gateway.beijing.received).isEmpty();
            assertThat(gateway.homeport.metrics().residencyViolations()).isZero();
            assertThat(gateway.homeport.metrics().scrape()).contains("homeport_decisions_total{reason=\"lookup_error\"} 1.0");
        }
    }
}
