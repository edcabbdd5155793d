package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where each request's client address came from is counted by source, and a client learned from
 * Forwarded reaches the backend's X-Forwarded-For like one learned from X-Forwarded-For, on the
 * direct path (GET) and the full path (POST). The test client's loopback peer is trusted.
 */
class ClientIpSourceTest {

    @TempDir
    Path dir;

    @Test
    void eachSourceIsCountedAndForwardedReachesTheBackendAsXForwardedFor() throws Exception {
        try (TestGateway gateway = new TestGateway(dir)) {
            assertThat(gateway.get("/", "1.2.4.8").statusCode()).isEqualTo(200);
            assertThat(gateway.get("/", null).statusCode()).isEqualTo(200);

            HttpResponse<String> viaForwarded = gateway.get("/", null, "Forwarded", "for=1.2.4.8;proto=https");
            assertThat(viaForwarded.body()).contains("\"region\":\"beijing\"");
            HttpResponse<String> post = gateway.client.send(HttpRequest.newBuilder(gateway.uri("/upload"))
                    .header("Forwarded", "for=\"[2400:da00::6666]:443\"")
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.body()).contains("\"region\":\"beijing\"");

            assertThat(gateway.beijing.received).hasSize(3);
            assertThat(gateway.beijing.received.get(1).header("X-Forwarded-For")).isEqualTo("1.2.4.8, 127.0.0.1");
            assertThat(gateway.beijing.received.get(2).header("X-Forwarded-For")).isEqualTo("2400:da00::6666, 127.0.0.1");

            String metrics = gateway.homeport.metrics().scrape();
            assertThat(metrics).contains("homeport_client_ip_source_total{source=\"x_forwarded_for\"} 1.0")
                    .contains("homeport_client_ip_source_total{source=\"forwarded\"} 2.0")
                    .contains("homeport_client_ip_source_total{source=\"socket\"} 1.0")
                    .contains("homeport_client_ip_source_total{source=\"proxy_protocol\"} 0.0");
        }
    }
}
