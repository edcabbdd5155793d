package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.residency.MigrationBucket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Requests reach the region their residency says, through the real gateway, on real sockets. */
class ProxyRoutingTest {

    @TempDir
    Path directory;

    TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = new TestGateway(directory);
    }

    @AfterEach
    void stop() {
        gateway.close();
        LeakCheck.assertNoLeaks();
    }

    @ParameterizedTest(name = "{0} ({1}) -> {2}")
    @CsvSource({
        "1.2.4.8,         CN, beijing",
        "2400:da00::6666, CN, beijing",
        "165.21.83.88,    SG, singapore",
        "202.188.0.133,   MY, singapore",
        "8.8.8.8,         US, us",
        "10.1.2.3,        XX, us",
    })
    void routesByCountry(String clientIp, String country, String region) throws Exception {
        HttpResponse<String> response = gateway.get("/api/profile", clientIp);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"region\":\"" + region + "\"");
        assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue(region);
        TestBackend backend = backend(region);
        assertThat(backend.last().header("X-Homeport-Country")).isEqualTo(country);
        assertThat(backend.last().header("X-Homeport-Region")).isEqualTo(region);
    }

    @Test
    void userPinBeatsCountry() throws Exception {
        HttpResponse<String> response = gateway.get("/", "1.2.4.8", "X-User-Id", "u-pinned-sg");

        assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue("singapore");
        assertThat(gateway.singapore.last().header("X-User-Id")).isEqualTo("u-pinned-sg");
    }

    @Test
    void migrationMovesExactlyTheUsersInsideItsShare() throws Exception {
        List<String> users = IntStream.range(0, 40).mapToObj(i -> "india-user-" + i).toList();
        for (String user : users) {
            HttpResponse<String> response = gateway.get("/", "202.54.1.30", "X-User-Id", user);
            String expected = MigrationBucket.of(user) < 2500 ? "singapore" : "us";
            assertThat(response.headers().firstValue("X-Homeport-Region")).as(user).hasValue(expected);
        }
    }

    @Test
    void forwardsFactsUpstreamAndStripsHopByHopHeaders() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send("GET /api/x?q=1 HTTP/1.1\r\n"
                    + "Host: api.example.com\r\n"
                    + "X-Forwarded-For: 1.2.4.8\r\n"
                    + "X-Request-Id: req-123\r\n"
                    + "Connection: keep-alive, X-Private-Hop\r\n"
                    + "X-Private-Hop: secret\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "TE: trailers\r\n"
                    + "X-Homeport-Region: us\r\n"
                    + "\r\n");
            RawHttp.Response response = raw.read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("X-Homeport-Region")).isEqualTo("beijing");
            assertThat(response.header("X-Request-Id")).isEqualTo("req-123");
            assertThat(response.header("Keep-Alive")).as("hop-by-hop from the backend").isNull();
        }
        TestBackend.Received received = gateway.beijing.last();
        assertThat(received.uri()).isEqualTo("/api/x?q=1");
        assertThat(received.header("X-Forwarded-For")).isEqualTo("1.2.4.8, 127.0.0.1");
        assertThat(received.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(received.header("X-Forwarded-Host")).isEqualTo("api.example.com");
        assertThat(received.header("X-Request-Id")).isEqualTo("req-123");
        assertThat(received.header("X-Homeport-Region")).as("a client cannot choose its region").isEqualTo("beijing");
        assertThat(received.header("X-Homeport-Country")).isEqualTo("CN");
        assertThat(received.header("X-Private-Hop")).isNull();
        assertThat(received.header("Keep-Alive")).isNull();
        assertThat(received.header("Proxy-Authorization")).isNull();
        assertThat(received.header("TE")).isNull();
    }

    @Test
    void generatesARequestIdWhenTheClientSentNone() throws Exception {
        HttpResponse<String> response = gateway.get("/", "8.8.8.8");

        String id = gateway.us.last().header("X-Request-Id");
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue(id);
    }

    @Test
    void countsRequestsPerRegionInMetrics() throws Exception {
        gateway.get("/api/a", "1.2.4.8");
        gateway.get("/api/b", "165.21.83.88");

        HttpResponse<String> metrics = gateway.client.send(
                java.net.http.HttpRequest.newBuilder(gateway.admin("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body())
                .contains("homeport_requests_total{region=\"beijing\",route=\"api\",status=\"200\"} 1.0")
                .contains("homeport_requests_total{region=\"singapore\",route=\"api\",status=\"200\"} 1.0")
                .contains("homeport_decisions_total{reason=\"country\"} 2.0");
    }

    private TestBackend backend(String region) {
        return switch (region) {
            case "beijing" -> gateway.beijing;
            case "singapore" -> gateway.singapore;
            default -> gateway.us;
        };
    }
}
