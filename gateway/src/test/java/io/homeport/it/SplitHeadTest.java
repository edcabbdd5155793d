package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.proxy.ProxySettings;
import io.homeport.upstream.UpstreamTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain head that arrives in pieces stays on the direct path: heads from 60 B to 8 KiB, split at
 * many offsets (every offset of the shortest), one keep-alive connection, and no hand-over to the
 * full pipeline. Only a request that is really not plain hands the connection over, counted by reason.
 */
class SplitHeadTest {

    @TempDir
    Path dir;

    @org.junit.jupiter.api.BeforeEach
    void onlyWithTheDirectPath() {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestGateway.DIRECT_PATH, "about the direct path's hand-over");
    }

    private static String head(int length) {
        String start = "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n";
        String end = "\r\n\r\n";
        int pad = length - start.length() - "X-Pad: ".length() - end.length();
        return start + "X-Pad: " + "p".repeat(Math.max(1, pad)) + end;
    }

    private static double handovers(TestGateway gateway, String reason) {
        Matcher matcher = Pattern.compile("homeport_direct_path_handovers_total\\{reason=\"" + reason + "\"} ([0-9.]+)")
                .matcher(gateway.homeport.metrics().scrape());
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    @Test
    void headsSplitAnywhereStayOnTheDirectPath() throws Exception {
        try (TestGateway gateway = new TestGateway(dir); RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            int requests = 0;
            for (int length : new int[] {60, 200, 800, 2048, 8192}) {
                String text = head(length);
                int step = length <= 60 ? 1 : length / 40;
                for (int at = 1; at < text.length(); at += step) {
                    raw.sendSplit(text, at, 2);
                    RawHttp.Response response = raw.read();
                    assertThat(response.status()).as("head of %d B split at %d", text.length(), at).isEqualTo(200);
                    assertThat(response.header("X-Homeport-Region")).isEqualTo("beijing");
                    requests++;
                }
                // Just before the blank line, the likeliest split of a real client.
                raw.sendSplit(text, text.length() - 2, 2);
                assertThat(raw.read().status()).isEqualTo(200);
                requests++;
            }
            assertThat(requests).isGreaterThan(200);
            assertThat(gateway.beijing.received).hasSize(requests);
            assertThat(handovers(gateway, "not_plain")).isZero();
            assertThat(handovers(gateway, "head_too_large")).isZero();

            // A request that is not plain still goes to the full path, once, and is counted.
            raw.send("POST /api/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\nContent-Length: 2\r\n\r\nhi");
            assertThat(raw.read().status()).isEqualTo(200);
            assertThat(handovers(gateway, "not_plain")).isEqualTo(1);
        }
    }

    @Test
    void aHeadThatNeverCompletesIsCutOffByTheHeadTimeout() throws Exception {
        ProxySettings settings = new ProxySettings(8 * 1024, 16 * 1024, 100, Duration.ofMillis(600), Duration.ofSeconds(60),
                Duration.ofSeconds(20));
        try (TestGateway gateway = new TestGateway(dir, UpstreamTimeouts.DEFAULTS, settings);
                RawHttp raw = new RawHttp(gateway.uri("/").getPort())) {
            raw.send(head(200));
            assertThat(raw.read().status()).isEqualTo(200);
            raw.send("GET /api/x HTTP/1.1\r\nHost: a\r\n"); // and then nothing
            RawHttp.Response timedOut = raw.read();
            assertThat(timedOut.status()).isEqualTo(408);
            assertThat(raw.isClosedByServer()).isTrue();
            assertThat(gateway.beijing.received).hasSize(1);
        }
    }
}
