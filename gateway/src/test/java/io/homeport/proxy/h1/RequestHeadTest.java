package io.homeport.proxy.h1;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestHeadTest {

    private final RequestHead head = new RequestHead(8192, 16384, 100);

    private RequestHead.Outcome parse(String text) {
        return parse(text, null);
    }

    private RequestHead.Outcome parse(String text, String identity) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return head.parse(bytes, bytes.length, identity == null ? null : identity.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void readsAPlainGetAndWhatTheDecisionNeeds() {
        String text = "GET /v2/sync?x=1 HTTP/1.1\r\nHost: Api.Example.com:8080\r\nX-Forwarded-For: 1.2.3.4\r\n"
                + "x-forwarded-for: 5.6.7.8 \r\nX-User-Id: u-1\r\nX-Request-Id: abc\r\nConnection: keep-alive\r\n\r\nGET /next";

        assertThat(parse(text, "x-user-id")).isEqualTo(RequestHead.Outcome.COMPLETE);
        assertThat(head.method).isEqualTo("GET");
        assertThat(head.uri).isEqualTo("/v2/sync?x=1");
        assertThat(head.host).isEqualTo("Api.Example.com:8080");
        assertThat(head.forwardedFor).as("several fields joined, as Netty's getAll").isEqualTo("1.2.3.4,5.6.7.8");
        assertThat(head.userId).isEqualTo("u-1");
        assertThat(head.requestId).isEqualTo("abc");
        assertThat(head.close).isFalse();
        assertThat(head.length).isEqualTo(text.indexOf("GET /next"));
        assertThat(head.fieldCount).isEqualTo(6);
        assertThat(head.action).startsWith(RequestHead.COPY, RequestHead.DROP, RequestHead.DROP, RequestHead.COPY,
                RequestHead.DROP, RequestHead.DROP);
    }

    @Test
    void theSameTargetAndHostReuseTheirStringsAndADifferentOneIsReadAfresh() {
        assertThat(parse("GET /a HTTP/1.1\r\nHost: Api.Example.com:8080\r\n\r\n")).isEqualTo(RequestHead.Outcome.COMPLETE);
        String uri = head.uri;
        String host = head.host;
        assertThat(head.hostWithoutPort).isEqualTo("api.example.com");

        assertThat(parse("GET /a HTTP/1.1\r\nHost: Api.Example.com:8080\r\nX-A: b\r\n\r\n"))
                .isEqualTo(RequestHead.Outcome.COMPLETE);
        assertThat(head.uri).isSameAs(uri);
        assertThat(head.host).isSameAs(host);
        assertThat(head.hostWithoutPort).isEqualTo("api.example.com");

        assertThat(parse("GET /b HTTP/1.1\r\nHost: api.example.com:8081\r\n\r\n")).isEqualTo(RequestHead.Outcome.COMPLETE);
        assertThat(head.uri).isEqualTo("/b");
        assertThat(head.host).isEqualTo("api.example.com:8081");
        assertThat(head.hostWithoutPort).isEqualTo("api.example.com");

        assertThat(parse("GET /b HTTP/1.1\r\nHost: [::1]:80\r\n\r\n")).isEqualTo(RequestHead.Outcome.COMPLETE);
        assertThat(head.host).isEqualTo("[::1]:80");
        assertThat(head.hostWithoutPort).isEqualTo("[::1]");
        assertThat(parse("GET /b HTTP/1.1\r\n\r\n")).isEqualTo(RequestHead.Outcome.NOT_PLAIN);
        assertThat(head.host).isNull();
        assertThat(head.hostWithoutPort).isNull();
    }

    @Test
    void aReusedStringMustHoldExactlyTheBytes() {
        byte[] bytes = "/ab/".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(RequestHead.reused("/ab", bytes, 0, 4)).isEqualTo("/ab/");
        assertThat(RequestHead.reused("/ac/", bytes, 0, 4)).isEqualTo("/ab/");
        String same = "/ab/";
        assertThat(RequestHead.reused(same, bytes, 0, 4)).isSameAs(same);
        assertThat(RequestHead.reused(null, bytes, 1, 3)).isEqualTo("ab");
    }

    @Test
    void classifiesTheFieldsItRewrites() {
        String text = "HEAD / HTTP/1.1\r\nhost: a\r\nForwarded: for=1.2.3.4\r\nX-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: b\r\nX-Homeport-Region: us\r\nX-Homeport-Country: CN\r\nTE: trailers\r\n"
                + "Keep-Alive: 5\r\nProxy-Authorization: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

        assertThat(parse(text)).isEqualTo(RequestHead.Outcome.COMPLETE);
        assertThat(head.method).isSameAs(RequestHead.HEAD);
        assertThat(head.forwarded).isEqualTo("for=1.2.3.4");
        assertThat(head.hasForwardedProto).isTrue();
        assertThat(head.hasForwardedHost).isTrue();
        assertThat(head.close).isTrue();
        assertThat(java.util.Arrays.copyOf(head.action, head.fieldCount)).containsExactly(
                RequestHead.COPY, RequestHead.COPY_IF_TRUSTED, RequestHead.COPY_IF_TRUSTED, RequestHead.COPY_IF_TRUSTED,
                RequestHead.DROP, RequestHead.DROP, RequestHead.DROP, RequestHead.DROP, RequestHead.DROP,
                RequestHead.COPY, RequestHead.DROP);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\nHost: a\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\r",
        "GET / HTTP/1.1\r\nHo",
        "GET / HTT",
        "GET /pa",
        "GE",
    })
    void waitsForTheRestOfAHead(String text) {
        assertThat(parse(text)).isEqualTo(RequestHead.Outcome.INCOMPLETE);
    }

    /** Everything unusual goes to the full decoder and its guards, which answer it as they always have. */
    @ParameterizedTest
    @ValueSource(strings = {
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 00\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: x-secret\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Key1: 1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n",
        "GET / HTTP/1.1\nHost: a\n\n",
        "GET / HTTP/1.1\r\nHost: a\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-A: \u0001\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-A: caf\u00e9\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n",
        "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n",
        "get / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.0\r\nHost: a\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
        "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /a\u0000b HTTP/1.1\r\nHost: a\r\n\r\n",
    })
    void leavesEverythingElseToTheFullPath(String text) {
        assertThat(parse(text)).isEqualTo(RequestHead.Outcome.NOT_PLAIN);
    }

    @Test
    void leavesHeadsBeyondTheLimitsToTheFullPath() {
        RequestHead small = new RequestHead(32, 64, 3);
        byte[] longLine = ("GET /" + "a".repeat(40) + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] manyFields = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] bigFields = ("GET / HTTP/1.1\r\nHost: a\r\nA: " + "x".repeat(80) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] fits = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        assertThat(small.parse(longLine, longLine.length, null)).isEqualTo(RequestHead.Outcome.NOT_PLAIN);
        assertThat(small.parse(manyFields, manyFields.length, null)).isEqualTo(RequestHead.Outcome.NOT_PLAIN);
        assertThat(small.parse(bigFields, bigFields.length, null)).isEqualTo(RequestHead.Outcome.NOT_PLAIN);
        assertThat(small.parse(fits, fits.length, null)).isEqualTo(RequestHead.Outcome.COMPLETE);
    }

    /** The table holds RFC 9110's tchar and nothing else, for every byte value. */
    @Test
    void tokenCharsAreRfc9110Tchar() {
        String punctuation = "!#$%&'*+-.^_`|~";
        for (int value = -128; value < 128; value++) {
            char c = (char) (value & 0xff);
            boolean tchar = Character.isLetterOrDigit(c) && c < 0x80 || punctuation.indexOf(c) >= 0;
            assertThat(RequestHead.isTokenChar((byte) value)).as("byte %d", value).isEqualTo(tchar);
        }
    }

    /**
     * The word-at-a-time skip takes only whole words of bytes 0x20 to 0x7e and stops at the first
     * word with any other byte, whatever it is and wherever it sits in the word.
     */
    @Test
    void theWordSkipTakesExactlyTheWholeWordsOfVisibleBytes() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(13);
        byte[] b = new byte[64];
        for (int round = 0; round < 200_000; round++) {
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (0x20 + random.nextInt(0x5f)); // visible ASCII and space
            }
            int odd = random.nextInt(4); // how many bytes of any value to plant
            for (int k = 0; k < odd; k++) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            int start = random.nextInt(b.length);
            int limit = start + random.nextInt(b.length - start + 1);
            int stop = RequestHead.skipVisibleWords(b, start, limit);
            assertThat((stop - start) % 8).isZero();
            assertThat(stop).isBetween(start, limit);
            for (int i = start; i < stop; i++) {
                assertThat(b[i] >= 0x20 && b[i] < 0x7f).as("byte %d skipped at %d", b[i], i).isTrue();
            }
            if (stop + 8 <= limit) {
                boolean allVisible = true;
                for (int i = stop; i < stop + 8; i++) {
                    allVisible &= b[i] >= 0x20 && b[i] < 0x7f;
                }
                assertThat(allVisible).as("stopped before a word of visible bytes at %d", stop).isFalse();
            }
        }
    }
}
