package io.homeport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MalformedRequestHandlerTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "400 | bad header name     | GET / HTTP/1.1\\r\\nBad Header: x\\r\\n\\r\\n",
        "400 | garbage request line | \\u0001\\u0002 nonsense\\r\\n\\r\\n",
        "414 | long request line    | GET /LONG HTTP/1.1\\r\\n\\r\\n",
        "431 | large headers        | GET / HTTP/1.1\\r\\nX: HUGE\\r\\n\\r\\n",
    })
    void answersDecoderFailuresAndCloses(int status, String name, String request) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(4096, 8192, 8192), new MalformedRequestHandler());
        String wire = request.replace("\\r\\n", "\r\n").replace("\\u0001", "\u0001").replace("\\u0002", "\u0002")
                .replace("/LONG", "/" + "a".repeat(5000)).replace("HUGE", "b".repeat(10_000));

        channel.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.ISO_8859_1));

        assertThat((Object) channel.readInbound()).as("nothing is passed on").isNull();
        FullHttpResponse response = decodeResponse(channel);
        assertThat(response.status().code()).isEqualTo(status);
        assertThat(response.content().toString(StandardCharsets.UTF_8)).startsWith("{\"error\":");
        assertThat(channel.isOpen()).isFalse();
        response.release();
    }

    @Test
    void passesGoodRequestsOn() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new MalformedRequestHandler());
        channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII));

        Object request = channel.readInbound();
        assertThat(request).isInstanceOf(HttpRequest.class);
        ReferenceCountUtil.release(request);
        ReferenceCountUtil.release(channel.readInbound());
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private static FullHttpResponse decodeResponse(EmbeddedChannel server) {
        EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(65536));
        for (ByteBuf chunk; (chunk = server.readOutbound()) != null; ) {
            client.writeInbound(chunk);
        }
        return client.readInbound();
    }
}
