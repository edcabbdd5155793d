package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.proxy.ProxySettings;
import io.homeport.upstream.UpstreamTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile clients against the real gateway on a raw socket: smuggling attempts, open-proxy
 * requests, too many headers and slow heads are answered, closed, and never reach a backend.
 */
class HostileInputTest {

    static final ProxySettings SETTINGS = new ProxySettings(8 * 1024, 16 * 1024, 20, Duration.ofMillis(600),
            Duration.ofSeconds(60), Duration.ofSeconds(20));

    @TempDir
    Path directory;

    TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = new TestGateway(directory, UpstreamTimeouts.DEFAULTS, SETTINGS);
    }

    @AfterEach
    void stop() {
        gateway.close();
        LeakCheck.assertNoLeaks();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "400 | CL.TE smuggling          | POST / HTTP/1.1~Host: a~Content-Length: 6~Transfer-Encoding: chunked~~0~~GET /smuggled HTTP/1.1~Host: a~~",
        "400 | TE.TE obfuscation        | POST / HTTP/1.1~Host: a~Transfer-Encoding: chunked~Transfer-Encoding: identity~~0~~",
        "400 | TE list                  | POST / HTTP/1.1~Host: a~Transfer-Encoding: gzip, chunked~~0~~",
        "400 | duplicate Content-Length | POST / HTTP/1.1~Host: a~Content-Length: 3~Content-Length: 30~~abc",
        "400 | obs-fold                 | GET / HTTP/1.1~Host: a~X-Forwarded-For: 8.8.8.8~ 1.2.4.8~~",
        "400 | bare LF                  | GET / HTTP/1.1<LF>Host: a<LF><LF>",
        "400 | missing Host             | GET / HTTP/1.1~~",
        "400 | lower-case HTTP-name     | GET / http/1.1~Host: a~X-Forwarded-For: 1.2.4.8~~",
        "400 | chunk size past 64 bits  | POST / HTTP/1.1~Host: a~Transfer-Encoding: chunked~~10000000000000001~hello~0~~GET /hidden HTTP/1.1~Host: a~~",
        "400 | chunk data past its size | POST / HTTP/1.1~Host: a~Transfer-Encoding: chunked~~5~helloXX0~~GET /hidden HTTP/1.1~Host: a~~",
        "400 | chunk size 5x            | POST / HTTP/1.1~Host: a~Transfer-Encoding: chunked~~5x~hello~0~~",
        "400 | chunk size 0x5           | POST / HTTP/1.1~Host: a~Transfer-Encoding: chunked~~0x5~hello~0~~",
        "400 | bare LF after chunk size | POST / HTTP/1.1~Host: a~Transfer-Encoding: chunked~~5<LF>hello~0~~",
        "400 | bare LF after chunk data | POST / HTTP/1.1~Host: a~Transfer-Encoding: chunked~~5~hello<LF>0~~",
        "400 | bare LF in an extension  | POST / HTTP/1.1~Host: a~Transfer-Encoding: chunked~~5;x=y<LF>hello~0~~",
        "400 | mixed-case HTTP-name     | GET / Http/1.1~Host: a~~",
        "405 | CONNECT tunnel           | CONNECT evil.example:443 HTTP/1.1~Host: evil.example:443~~",
        "421 | open proxy               | GET http://evil.example/steal HTTP/1.1~Host: a~~",
        "400 | PROXY line on a plain listener | PROXY TCP4 1.2.4.8 127.0.0.1 5000 80~GET / HTTP/1.1~Host: a~~",
    })
    void refusesAndNeverForwards(int status, String name, String request) throws Exception {
        try (RawHttp raw = new RawHttp(port())) {
            raw.send(request.replace("~", "\r\n").replace("<LF>", "\n"));
            RawHttp.Response response = raw.read();

            assertThat(response.status()).as(name).isEqualTo(status);
            assertThat(response.body()).startsWith("{\"error\":");
            assertThat(raw.isClosedByServer()).as("closed").isTrue();
        }
        assertThat(gateway.us.received).as("reached a backend").isEmpty();
        assertThat(gateway.beijing.received).isEmpty();
        assertThat(gateway.singapore.received).isEmpty();
    }

    @Test
    void servesAnAbsoluteFormRequestForItsOwnHostAsOriginForm() throws Exception {
        try (RawHttp raw = new RawHttp(port())) {
            raw.send("GET http://api.example.com/api/x?q=1 HTTP/1.1\r\nHost: api.example.com\r\nX-Forwarded-For: 8.8.8.8\r\n\r\n");

            assertThat(raw.read().status()).isEqualTo(200);
        }
        assertThat(gateway.us.last().uri()).isEqualTo("/api/x?q=1");
    }

    @Test
    void answers431ToTooManyHeaderFields() throws Exception {
        StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < SETTINGS.maxHeaderCount(); i++) {
            request.append("X-Header-").append(i).append(": v\r\n");
        }
        try (RawHttp raw = new RawHttp(port())) {
            raw.send(request.append("\r\n").toString());

            assertThat(raw.read().status()).isEqualTo(431);
            assertThat(raw.isClosedByServer()).isTrue();
        }
        assertThat(gateway.us.received).isEmpty();
    }

    @Test
    void cutsOffASlowlorisWith408() throws Exception {
        long start = System.nanoTime(); // before connecting: the head timer starts when the gateway accepts
        try (RawHttp raw = new RawHttp(port())) {
            raw.send("GET / HTTP/1.1\r\nHost: a\r\n");
            for (int i = 0; i < 3; i++) {
                Thread.sleep(150); // bytes keep coming, a header at a time, so the idle timeout never fires
                raw.send("X-Slow-" + i + ": 1\r\n");
            }
            RawHttp.Response response = raw.read();

            assertThat(response.status()).isEqualTo(408);
            assertThat(response.header("Connection")).isEqualTo("close");
            // Cut off by the head timeout, not sooner (a timer may fire a millisecond or two early).
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(SETTINGS.requestHeaderTimeout().minusMillis(20));
            assertThat(raw.isClosedByServer()).isTrue();
        }
        assertThat(gateway.us.received).isEmpty();
    }

    @Test
    void cutsOffAConnectionThatNeverSendsAnything() throws Exception {
        try (RawHttp raw = new RawHttp(port())) {
            assertThat(raw.read().status()).isEqualTo(408);
            assertThat(raw.isClosedByServer()).isTrue();
        }
    }

    @Test
    void anIdleKeepAliveConnectionOutlivesTheHeadTimeout() throws Exception {
        try (RawHttp raw = new RawHttp(port())) {
            raw.send("GET /1 HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 8.8.8.8\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(200);

            Thread.sleep(SETTINGS.requestHeaderTimeout().toMillis() * 2); // idle, which the idle timeout governs

            raw.send("GET /2 HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 8.8.8.8\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(200);
        }
        assertThat(gateway.us.received).hasSize(2);
    }

    private int port() {
        return gateway.uri("/").getPort();
    }
}
