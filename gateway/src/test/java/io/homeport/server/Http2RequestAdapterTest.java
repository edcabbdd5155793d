package io.homeport.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Http2RequestAdapterTest {

    @Test
    void splitsAFullRequestIntoHeadAndLastContent() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestAdapter());
        FullHttpRequest full = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/x",
                Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII));
        full.headers().set("x-http2-stream-id", "3").set("x-http2-scheme", "https").set("host", "api.test");
        full.trailingHeaders().set("x-checksum", "1");

        channel.writeInbound(full);

        HttpRequest head = channel.readInbound();
        assertThat(head).isNotInstanceOf(HttpContent.class);
        assertThat(head.uri()).isEqualTo("/api/x");
        assertThat(head.headers().names()).containsExactly("host");
        LastHttpContent last = channel.readInbound();
        assertThat(last.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hi");
        assertThat(last.trailingHeaders().get("x-checksum")).isEqualTo("1");
        last.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void passesAStreamedRequestThroughWithoutConversionHeaders() {
        EmbeddedChannel channel = new EmbeddedChannel(new Http2RequestAdapter());
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/upload");
        head.headers().set("x-http2-stream-id", "5").set("transfer-encoding", "chunked");
        HttpContent chunk = new DefaultHttpContent(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII));

        channel.writeInbound(head, chunk);

        assertThat(channel.<HttpRequest>readInbound().headers().names()).containsExactly("transfer-encoding");
        HttpContent passed = channel.readInbound();
        assertThat(passed).isSameAs(chunk);
        passed.release();
        assertThat(channel.finish()).isFalse();
    }
}
