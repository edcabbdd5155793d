package io.homeport.proxy.h1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseHeadTest {

    private final ResponseHead head = new ResponseHead();
    private byte[] bytes;

    private ResponseHead.Outcome parse(String text, boolean bodiless) {
        bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return head.parse(bytes, bytes.length, bodiless);
    }

    private String forClient(boolean closeClient) {
        ByteBuf out = Unpooled.buffer();
        head.writeForClient(bytes, out, "singapore", "rid-1", closeClient);
        String text = out.toString(StandardCharsets.ISO_8859_1);
        out.release();
        return text;
    }

    @Test
    void passesALengthDelimitedHeadOnWithTheRegionAndRequestId() {
        String text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nKeep-Alive: timeout=5\r\n"
                + "X-Homeport-Region: forged\r\nConnection: keep-alive\r\n\r\nhello";

        assertThat(parse(text, false)).isEqualTo(ResponseHead.Outcome.COMPLETE);
        assertThat(head.status).isEqualTo(200);
        assertThat(head.framing).isEqualTo(ResponseHead.Framing.LENGTH);
        assertThat(head.contentLength).isEqualTo(5);
        assertThat(head.upstreamCloses).isFalse();
        assertThat(head.length).isEqualTo(text.indexOf("hello"));
        assertThat(forClient(false)).isEqualTo("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                + "x-homeport-region: singapore\r\nx-request-id: rid-1\r\n\r\n");
    }

    @Test
    void keepsTheBackendsRequestIdAndSaysCloseWhenTheClientAsked() {
        assertThat(parse("HTTP/1.1 404 Not Found\r\nX-Request-Id: theirs\r\nContent-Length: 0\r\n\r\n", false))
                .isEqualTo(ResponseHead.Outcome.COMPLETE);
        assertThat(forClient(true)).isEqualTo("HTTP/1.1 404 Not Found\r\nX-Request-Id: theirs\r\nContent-Length: 0\r\n"
                + "x-homeport-region: singapore\r\nconnection: close\r\n\r\n");
    }

    @Test
    void transferEncodingWinsOverContentLengthWhichIsNotPassedOn() {
        assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n", false))
                .isEqualTo(ResponseHead.Outcome.COMPLETE);
        assertThat(head.framing).isEqualTo(ResponseHead.Framing.CHUNKED);
        assertThat(forClient(false)).isEqualTo("HTTP/1.1 200 OK\r\nx-homeport-region: singapore\r\n"
                + "x-request-id: rid-1\r\ntransfer-encoding: chunked\r\n\r\n");
    }

    @Test
    void dropsTheFieldsConnectionNamesButNeverTheFraming() {
        assertThat(parse("HTTP/1.1 200 OK\r\nConnection: X-Internal, Content-Length\r\nX-Internal: secret\r\n"
                + "Content-Length: 2\r\n\r\n", false)).isEqualTo(ResponseHead.Outcome.COMPLETE);
        assertThat(forClient(false)).doesNotContainIgnoringCase("x-internal").contains("Content-Length: 2\r\n");
    }

    @Test
    void aBodyWithoutLengthEndsAtCloseAndIsChunkedForTheClient() {
        assertThat(parse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", false)).isEqualTo(ResponseHead.Outcome.COMPLETE);
        assertThat(head.framing).isEqualTo(ResponseHead.Framing.CLOSE);
        assertThat(head.upstreamCloses).isTrue();
        assertThat(forClient(false)).contains("transfer-encoding: chunked\r\n");
    }

    @Test
    void http10BackendsCloseUnlessTheySayKeepAlive() {
        assertThat(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false)).isEqualTo(ResponseHead.Outcome.COMPLETE);
        assertThat(head.upstreamCloses).isTrue();
        assertThat(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", false))
                .isEqualTo(ResponseHead.Outcome.COMPLETE);
        assertThat(head.upstreamCloses).isFalse();
        assertThat(forClient(false)).startsWith("HTTP/1.1 200 OK\r\n").doesNotContainIgnoringCase("keep-alive");
    }

    @Test
    void knowsWhichAnswersHaveNoBody() {
        assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true)).isEqualTo(ResponseHead.Outcome.COMPLETE);
        assertThat(head.framing).as("an answer to HEAD").isEqualTo(ResponseHead.Framing.NONE);
        assertThat(parse("HTTP/1.1 204 No Content\r\n\r\n", false)).isEqualTo(ResponseHead.Outcome.COMPLETE);
        assertThat(head.framing).isEqualTo(ResponseHead.Framing.NONE);
        assertThat(parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", false)).isEqualTo(ResponseHead.Outcome.COMPLETE);
        assertThat(head.framing).isEqualTo(ResponseHead.Framing.NONE);
        assertThat(parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", false)).isEqualTo(ResponseHead.Outcome.COMPLETE);
        assertThat(head.status).isEqualTo(100);
        assertThat(head.length).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n".length());
    }

    @Test
    void acceptsBareLineFeedsFromTheBackendAndWritesCrlf() {
        assertThat(parse("HTTP/1.1 200 OK\nContent-Length: 0\n\n", false)).isEqualTo(ResponseHead.Outcome.COMPLETE);
        assertThat(forClient(false)).startsWith("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.1 200 OK\r\nContent-Length: 1", "HTTP/1.1 20", "HTTP/", "HTTP/1.1 200 OK\r\n\r"})
    void waitsForTheRestOfAHead(String text) {
        assertThat(parse(text, false)).isEqualTo(ResponseHead.Outcome.INCOMPLETE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SMTP/1.1 200 OK\r\n\r\n",
        "HTTP/2.0 200 OK\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nName : value\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding\t: chunked\r\nContent-Length: 10\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX(A): 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: \u0001\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\rX\r\n\r\n",
    })
    void refusesWhatItCannotReadWithCertainty(String text) {
        assertThat(parse(text, false)).isEqualTo(ResponseHead.Outcome.MALFORMED);
        assertThat(head.problem()).isNotBlank();
    }
}
