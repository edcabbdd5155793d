package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.proxy.ProxySettings;
import io.homeport.upstream.UpstreamTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy.max_request_body_bytes: a body past it gets 413, before a 100 Continue, and never reaches a backend whole. */
class BodyLimitTest {

    @TempDir
    Path dir;

    @Test
    void aHugeDeclaredBodyGets413BeforeItsHundredContinue() throws Exception {
        try (TestGateway gateway = new TestGateway(dir); RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\nContent-Length: 2147483648\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            RawHttp.Response response = raw.read();
            assertThat(response.status()).as("no 100 first: the limit is the answer").isEqualTo(413);
            assertThat(response.body()).contains("request body of 2147483648 bytes (expected: at most 1073741824");
            assertThat(raw.isClosedByServer()).isTrue();
            assertThat(gateway.beijing.received).isEmpty();
        }
    }

    @Test
    void aDeclaredOrStreamedBodyPastASmallLimitGets413() throws Exception {
        ProxySettings d = ProxySettings.DEFAULTS;
        ProxySettings settings = new ProxySettings(d.maxRequestLineBytes(), d.maxHeaderBytes(), d.maxHeaderCount(),
                d.requestHeaderTimeout(), d.clientIdleTimeout(), d.drainTimeout(), 1000);
        try (TestGateway gateway = new TestGateway(dir, UpstreamTimeouts.DEFAULTS, settings)) {
            try (RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
                raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\nContent-Length: 1000\r\n\r\n"
                        + "x".repeat(1000));
                assertThat(raw.read().status()).as("at the limit").isEqualTo(200);
                raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\nContent-Length: 1001\r\n\r\n"
                        + "x".repeat(1001));
                assertThat(raw.read().status()).isEqualTo(413);
                assertThat(raw.isClosedByServer()).isTrue();
            }
            try (RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
                String chunk = "400\r\n" + "y".repeat(1024) + "\r\n";
                raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + chunk + chunk + "0\r\n\r\n");
                assertThat(raw.read().status()).as("a chunked body that passes the limit").isEqualTo(413);
                assertThat(raw.isClosedByServer()).isTrue();
            }
            Thread.sleep(200);
            assertThat(gateway.beijing.received).as("only the request within the limit was answered by a backend")
                    .singleElement().satisfies(received -> assertThat(received.bodyBytes()).isEqualTo(1000));
        }
    }
}
