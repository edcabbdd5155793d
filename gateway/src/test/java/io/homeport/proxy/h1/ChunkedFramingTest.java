package io.homeport.proxy.h1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkedFramingTest {

    private static final String BODY = "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\n";

    @Test
    void findsTheEndOfABodyInOneBuffer() {
        ChunkedFraming framing = new ChunkedFraming();
        ByteBuf in = Unpooled.copiedBuffer(BODY + "HTTP/1.1 200 OK", StandardCharsets.US_ASCII);

        assertThat(framing.consume(in)).isEqualTo(BODY.length());
        assertThat(framing.done()).isTrue();
        in.release();
    }

    @Test
    void findsTheEndWhateverTheBufferBoundaries() {
        for (int split = 1; split < BODY.length(); split++) {
            ChunkedFraming framing = new ChunkedFraming();
            ByteBuf first = Unpooled.copiedBuffer(BODY.substring(0, split), StandardCharsets.US_ASCII);
            ByteBuf second = Unpooled.copiedBuffer(BODY.substring(split), StandardCharsets.US_ASCII);

            assertThat(framing.consume(first)).isEqualTo(split);
            assertThat(framing.done()).as("done after %d bytes", split).isFalse();
            assertThat(framing.consume(second)).isEqualTo(BODY.length() - split);
            assertThat(framing.done()).isTrue();
            first.release();
            second.release();
        }
    }

    @Test
    void endsAtTheLastChunkWithoutTrailers() {
        ChunkedFraming framing = new ChunkedFraming();
        ByteBuf in = Unpooled.copiedBuffer("0\r\n\r\nX", StandardCharsets.US_ASCII);

        assertThat(framing.consume(in)).isEqualTo(5);
        assertThat(framing.done()).isTrue();
        in.release();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x\r\n", "\r\n", "5\r\nhelloX\r\n", "5\nhello\r\n", "5\r\nhello\r\r", "1234567890123456\r\n",
        "0\r\n\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "0\r\nX-T: 1\nHTTP/1.1 200 OK\r\n\r\n", "0\r\n folded\r\n\r\n"})
    void refusesWhatCannotBeDelimited(String body) {
        ChunkedFraming framing = new ChunkedFraming();
        ByteBuf in = Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> framing.consume(in)).isInstanceOf(IllegalStateException.class);
        in.release();
    }
}
