package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.proxy.ProxySettings;
import io.homeport.proxy.ProxySettings.HeadersWithUnderscores;
import io.homeport.upstream.UpstreamTimeouts;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * proxy.headers_with_underscores on raw sockets, with a backend that records what it received: by
 * default such fields are dropped on both HTTP/1.1 paths (and counted), reject refuses the request,
 * allow forwards them.
 */
class UnderscoreHeadersTest {

    static final String FIELDS = "Transfer_Encoding: chunked\r\nX_Forwarded_For: 8.8.8.8\r\nX_Real_IP: 8.8.8.8\r\n";

    @TempDir
    Path dir;

    private static ProxySettings with(HeadersWithUnderscores policy) {
        ProxySettings d = ProxySettings.DEFAULTS;
        return new ProxySettings(d.maxRequestLineBytes(), d.maxHeaderBytes(), d.maxHeaderCount(), d.requestHeaderTimeout(),
                d.clientIdleTimeout(), d.drainTimeout(), d.maxRequestBodyBytes(), policy);
    }

    private static void assertNoUnderscoreField(TestBackend.Received received) {
        assertThat(received.headers().keySet()).noneMatch(name -> name.contains("_"));
    }

    @Test
    void droppedByDefaultOnBothPathsAndCounted() throws Exception {
        try (TestGateway gateway = new TestGateway(dir); RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n" + FIELDS + "\r\n");
            assertThat(raw.read().status()).isEqualTo(200);
            raw.send("POST /api/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n" + FIELDS + "Content-Length: 2\r\n\r\nhi");
            assertThat(raw.read().status()).isEqualTo(200);

            assertThat(gateway.beijing.received).hasSize(2).allSatisfy(UnderscoreHeadersTest::assertNoUnderscoreField);
            assertThat(gateway.beijing.received.get(1).bodyBytes()).as("framed by Content-Length, not the dropped field")
                    .isEqualTo(2);
            assertThat(gateway.beijing.received.get(0).header("X-Forwarded-For")).isEqualTo("1.2.4.8, 127.0.0.1");
            assertThat(gateway.homeport.metrics().scrape())
                    .contains("homeport_headers_with_underscores_total{action=\"dropped\"} 6.0");
        }
    }

    @Test
    void rejectRefusesTheRequestAndAllowForwardsIt() throws Exception {
        try (TestGateway gateway = new TestGateway(dir, UpstreamTimeouts.DEFAULTS, with(HeadersWithUnderscores.REJECT));
                RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\nX_Real_IP: 8.8.8.8\r\n\r\n");
            RawHttp.Response refused = raw.read();
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.body()).contains("header field name with an underscore");
            assertThat(gateway.beijing.received).isEmpty();
            assertThat(gateway.us.received).isEmpty();
        }
        try (TestGateway gateway = new TestGateway(dir, UpstreamTimeouts.DEFAULTS, with(HeadersWithUnderscores.ALLOW));
                RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\nX_Real_IP: 8.8.8.8\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(200);
            assertThat(gateway.beijing.last().header("X_Real_IP")).isEqualTo("8.8.8.8");
        }
    }
}
