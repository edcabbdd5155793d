package io.homeport.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The scanner's model of a request stream: which heads it finds and what it notes about each. */
class RequestStreamTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "plain GET                 | GET / HTTP/1.1~Host: a~~                                  | false | 0 | 0 | -1 | false",
        "Content-Length            | POST / HTTP/1.1~content-length: 12~~                      | false | 1 | 0 | 12 | false",
        "Content-Length, 19 digits | POST / HTTP/1.1~Content-Length: 9223372036854775807~~     | false | 1 | 0 | 9223372036854775807 | false",
        "Content-Length, overflow  | POST / HTTP/1.1~Content-Length: 9223372036854775808~~     | false | 1 | 0 | -1 | false",
        "Content-Length, padded    | POST / HTTP/1.1~Content-Length:   7  ~~                   | false | 1 | 0 | 7 | false",
        "two Content-Length        | POST / HTTP/1.1~Content-Length: 1~Content-Length: 1~~     | false | 2 | 0 | -1 | false",
        "chunked                   | POST / HTTP/1.1~TRANSFER-ENCODING: Chunked~~              | false | 0 | 1 | -1 | true",
        "chunked, identity         | POST / HTTP/1.1~Transfer-Encoding: chunked, identity~~    | false | 0 | 1 | -1 | false",
        "obs-fold                  | GET / HTTP/1.1~X: a~ b~~                                  | true  | 0 | 0 | -1 | false",
        "leading control bytes     | <CR><LF><CR><LF>GET / HTTP/1.1~X: a~~                     | false | 0 | 0 | -1 | false",
    })
    void notesWhatTheHeadSaid(String name, String wire, boolean obsFold, int contentLengths, int transferEncodings,
            long contentLength, boolean chunked) {
        RequestStream stream = new RequestStream();
        scan(stream, wire);

        assertThat(stream.poll()).isEqualTo(new RawHead(obsFold, contentLengths, transferEncodings, contentLength, chunked));
        assertThat(stream.poll()).isNull();
    }

    @Test
    void skipsChunkedBodiesWithExtensionsWhitespaceAndTrailers() {
        RequestStream stream = new RequestStream();
        scan(stream, "POST /1 HTTP/1.1~Transfer-Encoding: chunked~~"
                + " 4 ;a=b~~ X~" + "A~0123456789~" + "0~Trailer: x~~"
                + "GET /2 HTTP/1.1~Host: a~~");

        assertThat(heads(stream)).hasSize(2);
    }

    @Test
    void stopsAtAChunkLineTheDecoderRefusesToo() {
        RequestStream stream = new RequestStream();
        scan(stream, "POST /1 HTTP/1.1~Transfer-Encoding: chunked~~4x~abcd~0~~GET /2 HTTP/1.1~~");

        assertThat(heads(stream)).as("only the first").hasSize(1);
    }

    @Test
    void stopsAfterAHeadWhoseFramingIsAmbiguous() {
        RequestStream stream = new RequestStream();
        scan(stream, "POST /1 HTTP/1.1~Content-Length: 3~Transfer-Encoding: chunked~~0~~GET /2 HTTP/1.1~~");

        assertThat(heads(stream)).hasSize(1);
    }

    @Test
    void leavesTheBufferAsItWas() {
        ByteBuf buffer = Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII);
        new RequestStream().scan(buffer);

        assertThat(buffer.readerIndex()).isZero();
        assertThat(buffer.readableBytes()).isEqualTo(18);
        buffer.release();
    }

    private static void scan(RequestStream stream, String wire) {
        ByteBuf buffer = Unpooled.copiedBuffer(RequestGuardHandlerTest.wire(wire), StandardCharsets.ISO_8859_1);
        stream.scan(buffer);
        buffer.release();
    }

    private static List<RawHead> heads(RequestStream stream) {
        List<RawHead> heads = new ArrayList<>();
        for (RawHead head; (head = stream.poll()) != null; ) {
            heads.add(head);
        }
        return heads;
    }
}
