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

/** A stalled exchange does not hold its connections forever: the idle timeout ends it. */
class StalledExchangeTest {

    @TempDir
    Path directory;

    TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        ProxySettings d = ProxySettings.DEFAULTS;
        gateway = new TestGateway(directory, UpstreamTimeouts.DEFAULTS, new ProxySettings(d.maxRequestLineBytes(),
                d.maxHeaderBytes(), d.maxHeaderCount(), d.requestHeaderTimeout(), Duration.ofMillis(700), d.drainTimeout()));
    }

    @AfterEach
    void stop() {
        gateway.close();
        LeakCheck.assertNoLeaks();
    }

    @Test
    void aClientThatStopsSendingItsBodyIsAnswered408AndDisconnected() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 8.8.8.8\r\nContent-Length: 100\r\n\r\n0123456789");
            RawHttp.Response response = raw.read();

            assertThat(response.status()).isEqualTo(408);
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(raw.isClosedByServer()).isTrue();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (gateway.homeport.inFlightRequests() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(gateway.homeport.inFlightRequests()).as("the stalled exchange was ended").isZero();
    }
}
