package io.homeport.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile request heads through the real decoding stages (scanner, strict decoder, guard,
 * malformed-request answers): each is answered with its status, nothing of it is passed on, and
 * the connection is closed. Run whole and byte by byte, since a scanner must not depend on how
 * the network cut the bytes.
 */
class RequestGuardHandlerTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        // smuggling: framing that two parsers could read differently
        "400 | Content-Length and Transfer-Encoding       | POST / HTTP/1.1~Host: a~Content-Length: 5~Transfer-Encoding: chunked~~0~~",
        "400 | Transfer-Encoding and Content-Length (1.0) | POST / HTTP/1.0~Content-Length: 5~Transfer-Encoding: chunked~~0~~",
        "400 | Transfer-Encoding: chunked, identity       | POST / HTTP/1.1~Host: a~Transfer-Encoding: chunked, identity~~0~~",
        "400 | Transfer-Encoding: identity, chunked       | POST / HTTP/1.1~Host: a~Transfer-Encoding: identity, chunked~~0~~",
        "400 | Transfer-Encoding: xchunked                | POST / HTTP/1.1~Host: a~Transfer-Encoding: xchunked~~0~~",
        "400 | Transfer-Encoding: gzip                    | POST / HTTP/1.1~Host: a~Transfer-Encoding: gzip~~0~~",
        "400 | two Transfer-Encoding fields              | POST / HTTP/1.1~Host: a~Transfer-Encoding: chunked~Transfer-Encoding: chunked~~0~~",
        "400 | Transfer-Encoding in HTTP/1.0             | POST / HTTP/1.0~Transfer-Encoding: chunked~~0~~",
        "400 | Transfer-Encoding with vertical tab       | POST / HTTP/1.1~Host: a~Transfer-Encoding:<VT>chunked~~0~~",
        "400 | space before the colon                    | POST / HTTP/1.1~Host: a~Transfer-Encoding : chunked~~0~~",
        "400 | two Content-Length fields, same value     | POST / HTTP/1.1~Host: a~Content-Length: 5~Content-Length: 5~~hello",
        "400 | two Content-Length fields, other values   | POST / HTTP/1.1~Host: a~Content-Length: 5~Content-Length: 6~~hello!",
        "400 | Content-Length list                       | POST / HTTP/1.1~Host: a~Content-Length: 5, 5~~hello",
        "400 | Content-Length with a sign                | POST / HTTP/1.1~Host: a~Content-Length: +5~~hello",
        "400 | Content-Length not a number               | POST / HTTP/1.1~Host: a~Content-Length: 5a~~hello",
        "400 | obs-fold continuation line                | GET / HTTP/1.1~Host: a~X-A: b~ c~~",
        "400 | obs-fold with a tab                       | GET / HTTP/1.1~Host: a~X-A: b~<TAB>c~~",
        "400 | obs-fold of Transfer-Encoding             | POST / HTTP/1.1~Host: a~Transfer-Encoding:~ chunked~~0~~",
        "400 | whitespace before the first header        | GET / HTTP/1.1~ Host: a~~",
        "400 | bare LF line endings                      | GET / HTTP/1.1<LF>Host: a<LF><LF>",
        "400 | bare CR line ending                       | GET / HTTP/1.1<CR>Host: a~~",
        "400 | bare CR inside a value                    | GET / HTTP/1.1~Host: a<CR>X: b~~",
        "400 | invalid header name                       | GET / HTTP/1.1~Host: a~X(: b~~",
        "400 | NUL in a header value                     | GET / HTTP/1.1~Host: a~X: a<NUL>b~~",
        "400 | header line without a colon               | GET / HTTP/1.1~Host: a~nonsense~~",
        "400 | hixie-76 WebSocket handshake              | GET / HTTP/1.1~Host: a~Sec-WebSocket-Key1: 1~Sec-WebSocket-Key2: 2~~12345678",
        "400 | HTTP/1.1 without Host                     | GET / HTTP/1.1~~",
        "400 | two Host fields                           | GET / HTTP/1.1~Host: a~Host: b~~",
        "400 | Host with a space                         | GET / HTTP/1.1~Host: a b~~",
        "400 | Host with userinfo                        | GET / HTTP/1.1~Host: me@a~~",
        "505 | HTTP/2.0 in a request line                | GET / HTTP/2.0~Host: a~~",
        "505 | HTTP/1.2                                  | GET / HTTP/1.2~Host: a~~",
        // open proxy
        "405 | CONNECT                                   | CONNECT other.example:443 HTTP/1.1~Host: other.example:443~~",
        "421 | absolute-form for another host            | GET http://other.example/ HTTP/1.1~Host: a~~",
        "421 | absolute-form, Host of another port       | GET http://a:8080/ HTTP/1.1~Host: a~~",
        "421 | absolute-form with userinfo               | GET http://me@a/ HTTP/1.1~Host: a~~",
        "421 | absolute-form in HTTP/1.0 without Host    | GET http://a/ HTTP/1.0~~",
        "400 | absolute-form of another scheme           | GET ftp://a/ HTTP/1.1~Host: a~~",
        "400 | authority-form outside CONNECT            | GET a:80 HTTP/1.1~Host: a~~",
        "400 | asterisk-form outside OPTIONS             | GET * HTTP/1.1~Host: a~~",
        "400 | control character in the target           | GET /a<SOH>b HTTP/1.1~Host: a~~",
        "400 | non-ASCII in the target                   | GET /caf<E9> HTTP/1.1~Host: a~~",
    })
    void refusesAndClosesWithoutPassingAnythingOn(int status, String name, String request) {
        for (int piece : new int[] {Integer.MAX_VALUE, 1}) {
            try (GuardedPipeline pipeline = new GuardedPipeline(100)) {
                pipeline.feed(wire(request), piece);

                assertThat(pipeline.forwarded).as("%s (pieces of %d bytes): passed on", name, piece).isEmpty();
                FullHttpResponse response = pipeline.response();
                assertThat(response).as(name).isNotNull();
                assertThat(response.status().code()).as("%s (pieces of %d bytes)", name, piece).isEqualTo(status);
                assertThat(response.content().toString(StandardCharsets.UTF_8)).startsWith("{\"error\":");
                assertThat(response.headers().get("Connection")).isEqualTo("close");
                if (status == 405) {
                    assertThat(response.headers().get("Allow")).isEqualTo(RequestChecks.ALLOWED_METHODS);
                }
                response.release();
                assertThat(pipeline.channel.isOpen()).as(name).isFalse();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "GET / HTTP/1.1~Host: a~~",
        "GET /path?q=1 HTTP/1.1~Host: a.example:8080~~",
        "GET / HTTP/1.0~~",
        "GET http://a.example/x HTTP/1.1~Host: a.example~~",
        "GET HTTP://A.EXAMPLE/x HTTP/1.1~Host: a.example~~",
        "OPTIONS * HTTP/1.1~Host: a~~",
        "POST / HTTP/1.1~Host: a~Transfer-Encoding: Chunked~~0~~",
        "POST / HTTP/1.1~Host: a~Transfer-Encoding:   chunked  ~~0~~",
        "POST / HTTP/1.1~Host: a~Content-Length: 005~~hello",
        "GET / HTTP/1.1~Host: [2001:db8::1]:443~~",
        "\r\n\r\nGET / HTTP/1.1~Host: a~~",
    })
    void passesWellFormedRequests(String request) {
        for (int piece : new int[] {Integer.MAX_VALUE, 1}) {
            try (GuardedPipeline pipeline = new GuardedPipeline(100)) {
                pipeline.feed(wire(request), piece);

                assertThat(pipeline.status()).as("answered").isZero();
                assertThat(pipeline.forwarded).first().asString().doesNotStartWith("+");
                assertThat(pipeline.forwarded).last().isEqualTo("end");
                assertThat(pipeline.channel.isOpen()).isTrue();
            }
        }
    }

    @Test
    void refuses431ForTooManyHeaderFields() {
        StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < 10; i++) {
            request.append("X-").append(i).append(": v\r\n");
        }
        try (GuardedPipeline pipeline = new GuardedPipeline(10)) {
            assertThat(pipeline.feed(request.append("\r\n").toString()).status()).isEqualTo(431);
            assertThat(pipeline.forwarded).isEmpty();
        }
        try (GuardedPipeline pipeline = new GuardedPipeline(11)) {
            assertThat(pipeline.feed(request.toString()).status()).as("exactly at the limit").isZero();
        }
    }

    @Test
    void findsEachHeadOfAKeepAliveConnectionPastBodiesThatLookLikeHeaders() {
        String bodyLikeAFold = "a\r\n b\r\n";
        String wire = wire("POST /one HTTP/1.1~Host: a~Content-Length: " + bodyLikeAFold.length() + "~~") + bodyLikeAFold
                + wire("POST /two HTTP/1.1~Host: a~Transfer-Encoding: chunked~~")
                + "7\r\n" + bodyLikeAFold + "\r\n" + "3;ext=1\r\nx\r\n\r\n0\r\nX-Trailer: t\r\n\r\n"
                + wire("GET /three HTTP/1.1~Host: a~~");
        for (int piece : new int[] {Integer.MAX_VALUE, 1, 5}) {
            try (GuardedPipeline pipeline = new GuardedPipeline(100)) {
                pipeline.feed(wire, piece);

                assertThat(pipeline.status()).as("pieces of %d: answered", piece).isZero();
                assertThat(pipeline.forwarded).as("pieces of %d", piece)
                        .filteredOn(line -> !line.startsWith("+"))
                        .containsExactly("POST /one", "end", "POST /two", "end", "GET /three", "end");
            }
        }
    }

    @Test
    void refusesAnObsFoldInALaterRequestAfterForwardingTheEarlierOnes() {
        String wire = wire("POST /one HTTP/1.1~Host: a~Content-Length: 3~~") + "abc"
                + wire("GET /two HTTP/1.1~Host: a~X: b~ folded~~");
        try (GuardedPipeline pipeline = new GuardedPipeline(100)) {
            pipeline.feed(wire);

            assertThat(pipeline.forwarded).containsExactly("POST /one", "+3", "end");
            assertThat(pipeline.status()).isEqualTo(400);
            assertThat(pipeline.channel.isOpen()).isFalse();
        }
    }

    @Test
    void refusesWhatFollowsARequestWhoseFramingCouldNotBeFollowed() {
        String wire = wire("POST /one HTTP/1.1~Host: a~Transfer-Encoding: chunked~~") + "zz\r\n"
                + wire("GET /two HTTP/1.1~Host: a~~");
        try (GuardedPipeline pipeline = new GuardedPipeline(100)) {
            pipeline.feed(wire);

            assertThat(pipeline.forwarded).doesNotContain("GET /two");
            assertThat(pipeline.status()).isEqualTo(400);
        }
    }

    /** In the tables, {@code ~} stands for CRLF and {@code <NAME>} for a single odd byte. */
    static String wire(String text) {
        return text.replace("~", "\r\n").replace("<LF>", "\n").replace("<CR>", "\r").replace("<TAB>", "\t")
                .replace("<VT>", "\u000b").replace("<NUL>", "\u0000").replace("<SOH>", "\u0001").replace("<E9>", "\u00e9");
    }
}
