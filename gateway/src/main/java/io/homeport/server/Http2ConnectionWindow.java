package io.homeport.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;

/**
 * Widens an HTTP/2 connection's receive window to what all its streams' windows add up to, then
 * leaves the pipeline. With the default (one stream's worth, 64 KiB), a single upload whose
 * backend reads slowly would hold the whole connection window and stall every other stream's
 * body; this way memory is still bounded per stream, by the stream windows.
 */
final class Http2ConnectionWindow extends ChannelInboundHandlerAdapter {

    private final int maxConcurrentStreams;

    Http2ConnectionWindow(int maxConcurrentStreams) {
        this.maxConcurrentStreams = maxConcurrentStreams;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        int increment = (maxConcurrentStreams - 1) * Http2CodecUtil.DEFAULT_WINDOW_SIZE;
        if (increment > 0) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(increment)); // a frame without a stream: the connection's
        }
        ctx.pipeline().remove(this);
    }
}
