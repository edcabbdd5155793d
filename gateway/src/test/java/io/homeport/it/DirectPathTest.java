package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct HTTP/1.1 path (plain bodiless requests, forwarded from the wire bytes) against a
 * backend that answers with every framing HTTP/1.1 allows, and its hand-over of a connection to
 * the full pipeline. The rest of the integration tests cover it too: their plain GETs take it.
 * Run again with the direct path off (as the whole integration suite is), the same answers are
 * asked of the codec path: the two framings must behave the same.
 */
class DirectPathTest {

    private static final String US_CLIENT = "X-Forwarded-For: 8.8.8.8\r\n";

    @TempDir
    Path directory;

    RawBackend raw;
    TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        raw = new RawBackend(Map.of(
                "/length", RawBackend.Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Internal: 1\r\nConnection: X-Internal\r\n\r\nhello"),
                "/chunked", RawBackend.Answer.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"),
                "/until-close", RawBackend.Answer.closing("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"),
                "/interim", RawBackend.Answer.of("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
                "/in-pieces", new RawBackend.Answer(List.of("HTTP/1.1 200 OK\r\nConte", "nt-Length: 6\r\n\r\npie", "ces"), false),
                "/no-content", RawBackend.Answer.of("HTTP/1.1 204 No Content\r\n\r\n"),
                "/two-lengths", RawBackend.Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx"),
                "/bad-chunk", RawBackend.Answer.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
                "/big-head", RawBackend.Answer.of("HTTP/1.1 200 OK\r\n" + BIG_HEAD_FIELDS + "Content-Length: " + BIG_BODY.length()
                        + "\r\n\r\n" + BIG_BODY),
                "/big-body", RawBackend.Answer.of("HTTP/1.1 200 OK\r\nContent-Length: " + BIG_BODY.length() + "\r\n\r\n" + BIG_BODY)));
        gateway = new TestGateway(directory, new TestGateway.Extras(null, Map.of("us", raw.endpoint())));
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        raw.close();
        LeakCheck.assertNoLeaks();
    }

    @Test
    void passesEveryResponseFramingOnAndKeepsTheConnection() throws Exception {
        try (RawHttp client = new RawHttp(gateway.uri("/").getPort())) {
            client.send("GET /length HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n");
            RawHttp.Response length = client.read();
            assertThat(length.status()).isEqualTo(200);
            assertThat(length.body()).isEqualTo("hello");
            assertThat(length.header("X-Homeport-Region")).isEqualTo("us");
            assertThat(length.header("X-Request-Id")).hasSize(32);
            assertThat(length.header("X-Internal")).as("named by Connection: hop-by-hop").isNull();

            client.send("GET /chunked HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n");
            RawHttp.Response chunked = client.read();
            assertThat(chunked.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(chunked.body()).isEqualTo("hello world");

            client.send("GET /interim HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n");
            RawHttp.Response interim = client.read();
            assertThat(interim.status()).as("interim responses are not passed on").isEqualTo(200);
            assertThat(interim.body()).isEqualTo("ok");

            client.send("GET /in-pieces HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n");
            assertThat(client.read().body()).isEqualTo("pieces");

            client.send("HEAD /length HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n");
            RawHttp.Response head = client.readHeadAnswer();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo("5");

            client.send("GET /no-content HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n");
            assertThat(client.read().status()).isEqualTo(204);

            client.send("GET /until-close HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n");
            RawHttp.Response untilClose = client.read();
            assertThat(untilClose.header("Transfer-Encoding")).as("chunked, so the client connection survives").isEqualTo("chunked");
            assertThat(untilClose.body()).isEqualTo("until the end");

            client.send("GET /length HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n");
            assertThat(client.read().body()).as("the same client connection, after all of them").isEqualTo("hello");
        }
        assertThat(raw.heads).hasSize(8);
        assertThat(raw.heads.get(0)).startsWith("GET /length HTTP/1.1\r\n").contains("x-homeport-region: us\r\n")
                .contains("X-Forwarded-For".toLowerCase() + ": 8.8.8.8, 127.0.0.1\r\n");
    }

    /** 20 KB of fields: the head is parsed out of a copy that grows while the head goes on. */
    private static final String BIG_HEAD_FIELDS = java.util.stream.IntStream.range(0, 200)
            .mapToObj(i -> "X-Field-" + i + ": " + "v".repeat(90) + i + "\r\n").collect(java.util.stream.Collectors.joining());
    private static final String BIG_BODY = java.util.stream.IntStream.range(0, 2_000)
            .mapToObj(i -> String.format("%07d\n", i)).collect(java.util.stream.Collectors.joining());

    @Test
    void answersWithLongHeadsAndBodiesArriveWhole() throws Exception {
        try (RawHttp client = new RawHttp(gateway.uri("/").getPort())) {
            for (int i = 0; i < 3; i++) {
                client.send("GET /big-head HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n");
                RawHttp.Response bigHead = client.read();
                assertThat(bigHead.status()).isEqualTo(200);
                assertThat(bigHead.header("X-Field-0")).isEqualTo("v".repeat(90) + 0);
                assertThat(bigHead.header("X-Field-199")).isEqualTo("v".repeat(90) + 199);
                assertThat(bigHead.body()).isEqualTo(BIG_BODY);

                client.send("GET /big-body HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n");
                RawHttp.Response bigBody = client.read();
                assertThat(bigBody.status()).isEqualTo(200);
                assertThat(bigBody.body()).isEqualTo(BIG_BODY);
            }
        }
    }

    @Test
    void forwardsEveryHopOfSeveralForwardedForFieldsAndDecidesByTheLast() throws Exception {
        try (RawHttp client = new RawHttp(gateway.uri("/").getPort())) {
            client.send("GET /length HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\nX-Forwarded-For: 8.8.8.8\r\n"
                    + "X-Homeport-Region: beijing\r\nTE: trailers\r\n\r\n");
            RawHttp.Response response = client.read();

            assertThat(response.header("X-Homeport-Region")).as("8.8.8.8, the right-most untrusted hop").isEqualTo("us");
        }
        assertThat(raw.heads.get(0)).contains("x-forwarded-for: 1.2.4.8,8.8.8.8, 127.0.0.1\r\n")
                .doesNotContain("beijing").doesNotContainIgnoringCase("te: trailers");
    }

    @Test
    void answersALongPipelineInOrderWithTwoRequestsAlwaysWaiting() throws Exception {
        try (RawHttp client = new RawHttp(gateway.uri("/").getPort())) {
            String request = "GET /length HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n";
            client.send(request + request);
            for (int i = 0; i < 300; i++) {
                assertThat(client.read().body()).as("answer %d", i).isEqualTo("hello");
                client.send(request); // one more behind the one still waiting
            }
            assertThat(client.read(2)).extracting(RawHttp.Response::body).containsExactly("hello", "hello");
        }
        assertThat(raw.heads).hasSize(302);
    }

    @Test
    void forwardsNothingAfterARequestThatClosesTheConnection() throws Exception {
        try (RawHttp client = new RawHttp(gateway.uri("/").getPort())) {
            client.send("GET /slow?millis=200 HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\nConnection: close\r\n\r\n");
            Thread.sleep(50); // arrives while the first is in flight
            client.send("GET /after HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n\r\n");
            RawHttp.Response response = client.read();

            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.isClosedByServer()).isTrue();
        }
        assertThat(gateway.beijing.received).extracting(TestBackend.Received::uri).containsExactly("/slow?millis=200");
    }

    @Test
    void answers502ForAResponseHeadItCannotReadWithCertainty() throws Exception {
        try (RawHttp client = new RawHttp(gateway.uri("/").getPort())) {
            client.send("GET /two-lengths HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n");
            RawHttp.Response response = client.read();

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.body()).contains("upstream failure").doesNotContain("127.0.0.1");
        }
    }

    @Test
    void endsTheClientConnectionWhenABodyCannotBeDelimited() throws Exception {
        try (RawHttp client = new RawHttp(gateway.uri("/").getPort())) {
            client.send("GET /bad-chunk HTTP/1.1\r\nHost: a\r\n" + US_CLIENT + "\r\n");

            assertThatThrownBy(client::read).as("the head went out; the body cannot be finished").isInstanceOf(IOException.class);
        }
    }

    @Test
    void handsTheConnectionToTheFullPathAtTheFirstRequestItDoesNotTake() throws Exception {
        try (RawHttp client = new RawHttp(gateway.uri("/").getPort())) {
            client.send("GET /a HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n\r\n"
                    + "POST /b HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 165.21.83.88\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /c HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n\r\n");
            List<RawHttp.Response> responses = client.read(3);

            assertThat(responses).extracting(RawHttp.Response::status).containsExactly(200, 200, 200);
            assertThat(responses).extracting(r -> r.header("X-Homeport-Region")).containsExactly("beijing", "singapore", "beijing");
        }
        assertThat(gateway.singapore.last().method()).isEqualTo("POST");
        assertThat(gateway.singapore.last().bodyBytes()).isEqualTo(3);
        assertThat(gateway.beijing.received).extracting(TestBackend.Received::uri).containsExactly("/a", "/c");
    }

    @Test
    void aMalformedRequestAfterPlainOnesGetsTheFullPathsAnswer() throws Exception {
        try (RawHttp client = new RawHttp(gateway.uri("/").getPort())) {
            client.send("GET /a HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n\r\n"
                    + "GET /b HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
            List<RawHttp.Response> responses = client.read(2);

            assertThat(responses).extracting(RawHttp.Response::status).containsExactly(200, 400);
        }
        assertThat(gateway.beijing.received).extracting(TestBackend.Received::uri).containsExactly("/a");
    }
}
