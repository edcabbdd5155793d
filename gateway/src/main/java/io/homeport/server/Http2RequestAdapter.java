package io.homeport.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Shapes an HTTP/2 stream's converted request like an HTTP/1.1 connection's, which is what the
 * proxy expects: the head and the body as separate messages (a request that ends with its
 * HEADERS frame arrives as one full request), and without the {@code x-http2-*} headers the
 * conversion adds, which are not the client's and must not reach a backend.
 */
final class Http2RequestAdapter extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            removeConversionHeaders(request.headers());
        }
        if (msg instanceof FullHttpRequest full) {
            ctx.fireChannelRead(new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers()));
            ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private static void removeConversionHeaders(HttpHeaders headers) {
        for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
            headers.remove(name.text());
        }
    }
}
