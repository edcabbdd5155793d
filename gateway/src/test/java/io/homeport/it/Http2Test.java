package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.config.GatewayConfig;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 over TLS (ALPN h2) through the real gateway, to HTTP/1.1 backends: each stream routed
 * and proxied like an HTTP/1.1 request, streams independent of each other, bodies streamed under
 * HTTP/2 flow control.
 */
class Http2Test {

    static final String CHINA = "1.2.4.8";
    static final String SINGAPORE = "165.21.83.88";
    static final String UNITED_STATES = "8.8.8.8";

    @TempDir
    Path directory;

    TestCertificates certificates;
    TestGateway gateway;
    HttpClient client;

    @BeforeEach
    void start() throws Exception {
        certificates = new TestCertificates(directory);
        TestCertificates.Written localhost = certificates.write("localhost", "localhost");
        gateway = new TestGateway(directory, new TestGateway.Extras(new GatewayConfig.Tls(List.of(localhost.files())), Map.of()));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(certificates.clientContext()).build();
    }

    @AfterEach
    void stop() {
        gateway.close();
        LeakCheck.assertNoLeaks();
    }

    @Test
    void routesEachStreamToItsHomeRegion() throws Exception {
        for (String[] market : new String[][] {{CHINA, "beijing"}, {SINGAPORE, "singapore"}, {UNITED_STATES, "us"}}) {
            HttpResponse<String> response = client.send(request("/api/orders?x=1", market[0]).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-homeport-region")).hasValue(market[1]);
            assertThat(response.body()).contains("\"region\":\"" + market[1] + "\"");
        }
        TestBackend.Received received = gateway.beijing.last();
        assertThat(received.uri()).isEqualTo("/api/orders?x=1");
        assertThat(received.header("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(received.header("Host")).isEqualTo("localhost:" + gateway.tlsPort());
        assertThat(received.headers().keySet()).as("no HTTP/2 conversion artefacts upstream").noneMatch(name -> name.startsWith("x-http2"));
    }

    @Test
    void sendsNoConnectionSpecificHeadersOnStreams() throws Exception {
        // The backend answers with Keep-Alive, and chunked framing for /stream: neither may appear in HTTP/2.
        HttpResponse<String> response = client.send(request("/stream?bytes=100", CHINA).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.body()).hasSize(100);
        assertThat(response.headers().map().keySet())
                .doesNotContain("connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection");
    }

    @Test
    void aSlowStreamDoesNotStallTheOthers() throws Exception {
        client.send(request("/warm-up", CHINA).build(), HttpResponse.BodyHandlers.ofString()); // one connection, then streams on it
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(request("/slow?millis=4000", CHINA).build(),
                HttpResponse.BodyHandlers.ofString());
        List<CompletableFuture<HttpResponse<String>>> fast = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String ip = i % 3 == 0 ? CHINA : i % 3 == 1 ? SINGAPORE : UNITED_STATES;
            fast.add(client.sendAsync(request("/fast/" + i, ip).build(), HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(fast.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

        assertThat(slow).as("60 fast streams answered while the slow one still waits").isNotDone();
        for (CompletableFuture<HttpResponse<String>> response : fast) {
            assertThat(response.get().statusCode()).isEqualTo(200);
            assertThat(response.get().version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
        assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void manyConcurrentStreamsAreAllAnswered() throws Exception {
        client.send(request("/warm-up", CHINA).build(), HttpResponse.BodyHandlers.ofString());
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        // Up to the 100 streams the gateway allows at once (JDK 17's client fails, rather than queues, any more).
        for (int i = 0; i < 95; i++) {
            HttpRequest.Builder request = request("/concurrent/" + i, i % 2 == 0 ? CHINA : UNITED_STATES);
            if (i % 3 == 0) {
                request.POST(HttpRequest.BodyPublishers.ofString("body " + i));
            }
            responses.add(client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < responses.size(); i++) {
            HttpResponse<String> response = responses.get(i).get(30, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-homeport-region")).hasValue(i % 2 == 0 ? "beijing" : "us");
            if (i % 3 == 0) {
                assertThat(response.body()).contains("\"body_bytes\":" + ("body " + i).length());
            }
        }
    }

    @Test
    void streamsALargeDownloadWithBoundedMemory() throws Exception {
        long size = 64L * 1024 * 1024;
        MemoryWatch watch = MemoryWatch.start();
        HttpResponse<InputStream> response = client.send(request("/stream?bytes=" + size, CHINA).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long received = 0;
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = body.read(buffer)) > 0; ) {
                received += n;
            }
        }
        long peak = watch.stop();

        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(received).isEqualTo(size);
        assertThat(peak).as("peak allocator memory while streaming %d bytes", size).isLessThan(32L * 1024 * 1024);
    }

    @Test
    void streamsALargeUploadWithBoundedMemory() throws Exception {
        long size = 64L * 1024 * 1024;
        MemoryWatch watch = MemoryWatch.start();
        HttpResponse<String> response = client.send(request("/upload", SINGAPORE)
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ProxyHttpTest.ZeroStream(size)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        long peak = watch.stop();

        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"body_bytes\":" + size);
        assertThat(gateway.singapore.last().header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(peak).as("peak allocator memory while streaming %d bytes", size).isLessThan(32L * 1024 * 1024);
    }

    private HttpRequest.Builder request(String path, String clientIp) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + gateway.tlsPort() + path))
                .header("X-Forwarded-For", clientIp)
                .timeout(Duration.ofSeconds(30));
    }
}
