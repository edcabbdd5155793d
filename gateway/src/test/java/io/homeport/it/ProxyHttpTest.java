package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.proxy.ProxySettings;
import io.homeport.upstream.UpstreamTimeouts;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/1.x behaviour a phone client relies on, through the real gateway. */
class ProxyHttpTest {

    @TempDir
    Path directory;

    TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = new TestGateway(directory,
                new UpstreamTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(30)),
                ProxySettings.DEFAULTS);
    }

    @AfterEach
    void stop() {
        gateway.close();
        LeakCheck.assertNoLeaks();
    }

    @Test
    void reusesUpstreamConnectionsAcrossRequests() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(gateway.get("/", "8.8.8.8").statusCode()).isEqualTo(200);
        }
        assertThat(gateway.us.received).hasSize(20);
        assertThat(gateway.us.connections).as("upstream connections for 20 sequential requests").hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void answersPipelinedRequestsInOrder() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send("GET /slow?millis=200 HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n\r\n"
                    + "GET /fast HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 165.21.83.88\r\n\r\n"
                    + "GET /fast HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 8.8.8.8\r\n\r\n");
            List<RawHttp.Response> responses = raw.read(3);

            assertThat(responses).extracting(r -> r.header("X-Homeport-Region")).containsExactly("beijing", "singapore", "us");
        }
    }

    @Test
    void servesHttp10ClientsAndClosesAfterwards() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send("GET /stream?bytes=1000 HTTP/1.0\r\nX-Forwarded-For: 8.8.8.8\r\n\r\n");
            RawHttp.Response response = raw.read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Transfer-Encoding")).as("an HTTP/1.0 client cannot read chunks").isNull();
            assertThat(response.body()).hasSize(1000);
        }
    }

    @Test
    void answersExpectContinueAndForwardsTheBody() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(100);
            raw.send("hello");
            RawHttp.Response response = raw.read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains("\"body_bytes\":5");
        }
        assertThat(gateway.beijing.last().header("Expect")).isNull();
    }

    @Test
    void failsOverToAnAllowedRegionWhenTheHomeRegionIsDown() throws Exception {
        gateway.us.close();

        HttpResponse<String> response = gateway.get("/", "8.8.8.8");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Homeport-Region")).as("us fails over to singapore").hasValue("singapore");
        assertThat(gateway.homeport.metrics().scrape()).contains("homeport_failovers_total{from=\"us\",to=\"singapore\"} 1.0");
    }

    @Test
    void answers503WhenNoRegionTheRulesAllowIsUp() throws Exception {
        gateway.beijing.close(); // beijing never fails over

        HttpResponse<String> response = gateway.get("/", "1.2.4.8");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        // A short reason and the request id: the routing policy is for the access log, not the internet.
        assertThat(response.body()).contains("\"error\":\"no region may serve this request now; retry later\"")
                .doesNotContain("beijing").doesNotContain("fail-over")
                .contains("\"request_id\":\"" + response.headers().firstValue("X-Request-Id").orElseThrow() + "\"");
        assertThat(gateway.singapore.received).as("nothing leaks to another region").isEmpty();
        assertThat(gateway.us.received).isEmpty();
        assertThat(gateway.homeport.metrics().scrape()).contains("homeport_residency_denied_total{region=\"beijing\"} 1.0");
    }

    @Test
    void answers502WhenTheBackendDropsTheConnection() throws Exception {
        HttpResponse<String> response = gateway.get("/reset", "8.8.8.8");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).contains("\"error\":").contains("\"request_id\":");
    }

    @Test
    void answers504WhenTheBackendIsTooSlow() throws Exception {
        HttpResponse<String> response = gateway.get("/slow?millis=3000", "8.8.8.8");

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.body()).contains("upstream sent no response in time");
    }

    @Test
    void givesEachRequestOnAKeptAliveConnectionItsOwnResponseDeadline() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send("GET /slow?millis=300 HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 8.8.8.8\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(200);
            long start = System.nanoTime();
            raw.send("GET /slow?millis=3000 HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 8.8.8.8\r\n\r\n");
            RawHttp.Response response = raw.read();
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(response.status()).isEqualTo(504);
            // The connection's timer was armed by the first request; the second keeps its own 500 ms.
            assertThat(elapsedMillis).as("time to the 504").isGreaterThanOrEqualTo(450);
        }
    }

    @Test
    void refusesAMalformedRequestWith400() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send("GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n");
            RawHttp.Response response = raw.read();

            assertThat(response.status()).isEqualTo(400);
            assertThat(raw.isClosedByServer()).isTrue();
        }
        assertThat(gateway.us.received).isEmpty();
    }

    @Test
    void refusesOversizedHeadersWith431() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(431);
        }
    }

    @Test
    void streamsALargeUploadWithBoundedMemory() throws Exception {
        long size = 256L * 1024 * 1024;
        MemoryWatch watch = MemoryWatch.start();
        HttpResponse<String> response = gateway.client.send(HttpRequest.newBuilder(gateway.uri("/upload"))
                        .header("X-Forwarded-For", "165.21.83.88")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(size)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        long peak = watch.stop();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"body_bytes\":" + size);
        assertThat(peak).as("peak allocator memory while streaming %d bytes", size).isLessThan(32L * 1024 * 1024);
    }

    @Test
    void streamsALargeDownloadWithBoundedMemory() throws Exception {
        long size = 256L * 1024 * 1024;
        MemoryWatch watch = MemoryWatch.start();
        HttpResponse<InputStream> response = gateway.client.send(HttpRequest.newBuilder(gateway.uri("/stream?bytes=" + size))
                .header("X-Forwarded-For", "1.2.4.8").build(), HttpResponse.BodyHandlers.ofInputStream());
        long received = 0;
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = body.read(buffer)) > 0; ) {
                received += n;
            }
        }
        long peak = watch.stop();

        assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue("beijing");
        assertThat(received).isEqualTo(size);
        assertThat(peak).as("peak allocator memory while streaming %d bytes", size).isLessThan(32L * 1024 * 1024);
    }

    /** An input stream of zeros that allocates nothing per read. */
    static final class ZeroStream extends InputStream {
        private long remaining;

        ZeroStream(long size) {
            this.remaining = size;
        }

        @Override
        public int read() {
            return remaining-- > 0 ? 0 : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (remaining <= 0) {
                return -1;
            }
            int n = (int) Math.min(length, remaining);
            java.util.Arrays.fill(buffer, offset, offset + n, (byte) 0);
            remaining -= n;
            return n;
        }
    }
}
