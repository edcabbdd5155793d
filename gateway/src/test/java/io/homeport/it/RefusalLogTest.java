package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.proxy.ProxySettings.HeadersWithUnderscores;
import io.homeport.proxy.ProxySettings;
import io.homeport.upstream.UpstreamTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refused request leaves a trace (issue 13 §2): its error body carries a generated request
 * id, the access log has a line with that id, the status and the refusal, and {@code
 * homeport_requests_refused_total{reason}} counts it; and nothing of it reached a backend.
 */
class RefusalLogTest {

    private static final Pattern REQUEST_ID = Pattern.compile("\"request_id\":\"([0-9a-f]{32})\"");

    @TempDir
    Path dir;

    private static ProxySettings settings(Duration headTimeout, HeadersWithUnderscores underscores) {
        ProxySettings d = ProxySettings.DEFAULTS;
        return new ProxySettings(d.maxRequestLineBytes(), d.maxHeaderBytes(), d.maxHeaderCount(), headTimeout,
                d.clientIdleTimeout(), d.drainTimeout(), d.maxRequestBodyBytes(), underscores);
    }

    /** Sends {@code request} on a new connection; returns the answer, which must close the connection. */
    private static RawHttp.Response refused(TestGateway gateway, String request) throws Exception {
        try (RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send(request);
            RawHttp.Response response = raw.read();
            assertThat(raw.isClosedByServer()).as("the connection closes after a refusal").isTrue();
            return response;
        }
    }

    private static void assertLogged(TestGateway gateway, RawHttp.Response response, int status, String reason)
            throws Exception {
        assertThat(response.status()).isEqualTo(status);
        Matcher id = REQUEST_ID.matcher(response.body());
        assertThat(id.find()).as("a generated request id in %s", response.body()).isTrue();
        assertThat(response.header("X-Request-Id")).isEqualTo(id.group(1));
        List<String> lines = gateway.accessLogLines(id.group(1));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("\"status\":" + status, "\"reason\":\"" + reason + "\"", "\"region\":null",
                "\"client_network\":\"127.0.0.0/24\"", "\"error\":");
    }

    @Test
    void everyRefusalIsLoggedCountedAndCarriesItsRequestId() throws Exception {
        try (TestGateway gateway = new TestGateway(dir, UpstreamTimeouts.DEFAULTS,
                settings(Duration.ofMillis(400), HeadersWithUnderscores.REJECT))) {
            assertLogged(gateway, refused(gateway, "GARBAGE\r\n\r\n"), 400, "malformed");
            assertLogged(gateway, refused(gateway, "GET /api/x http/1.1\r\nHost: a\r\n\r\n"), 400, "version");
            assertLogged(gateway, refused(gateway, "POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "10000000000000001\r\nhello\r\n0\r\n\r\nGET /api/hidden HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "framing");
            assertLogged(gateway, refused(gateway, "GET /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400, "framing");
            assertLogged(gateway, refused(gateway, "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2147483648\r\n"
                    + "Expect: 100-continue\r\n\r\n"), 413, "body_too_large");
            assertLogged(gateway, refused(gateway, "GET /api/x HTTP/1.1\r\nHost: a\r\nX_Real_IP: 8.8.8.8\r\n\r\n"), 400,
                    "underscore_header");
            assertLogged(gateway, refused(gateway, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"), 405,
                    "target");
            assertLogged(gateway, refused(gateway, "GET /api/x HTTP/1.1\r\n\r\n"), 400, "host");
            assertLogged(gateway, refused(gateway, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n"), 414,
                    "head_too_large");
            // A head that never completes: the direct path's timer, and the full path's after a first request.
            assertLogged(gateway, refused(gateway, "GET /api/x HTTP/1.1\r\nHost: a\r\n"), 408, "head_timeout");
            try (RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
                raw.send("POST /api/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\nContent-Length: 2\r\n\r\nhi");
                assertThat(raw.read().status()).isEqualTo(200);
                raw.send("GET /api/y HTTP/1.1\r\nHost:");
                assertLogged(gateway, raw.read(), 408, "head_timeout");
            }

            assertThat(gateway.us.received).isEmpty();
            assertThat(gateway.singapore.received).isEmpty();
            assertThat(gateway.beijing.received).extracting(TestBackend.Received::uri).containsExactly("/api/x");
            String metrics = gateway.homeport.metrics().scrape();
            assertThat(metrics).contains(
                    "homeport_requests_refused_total{reason=\"malformed\"} 1.0",
                    "homeport_requests_refused_total{reason=\"version\"} 1.0",
                    "homeport_requests_refused_total{reason=\"framing\"} 2.0",
                    "homeport_requests_refused_total{reason=\"body_too_large\"} 1.0",
                    "homeport_requests_refused_total{reason=\"underscore_header\"} 1.0",
                    "homeport_requests_refused_total{reason=\"target\"} 1.0",
                    "homeport_requests_refused_total{reason=\"host\"} 1.0",
                    "homeport_requests_refused_total{reason=\"head_too_large\"} 1.0",
                    "homeport_requests_refused_total{reason=\"head_timeout\"} 2.0",
                    "homeport_headers_with_underscores_total{action=\"rejected\"} 1.0");
            assertThat(gateway.homeport.inFlightRequests()).isZero();
        }
    }
}
