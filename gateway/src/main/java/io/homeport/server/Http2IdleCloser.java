package io.homeport.server;

import io.homeport.proxy.Drain;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Closes an HTTP/2 connection (with a GOAWAY) when the idle timer fires and no stream is open; a
 * connection with a request in progress stays, as an HTTP/1.1 connection does.
 */
final class Http2IdleCloser extends ChannelInboundHandlerAdapter {

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
            if (codec == null || codec.connection().numActiveStreams() == 0) {
                ctx.close();
            }
            return;
        }
        if (event == Drain.Event.STARTED) {
            // Netty's HTTP/2 handler closes gracefully: GOAWAY, then the streams in flight finish.
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }
}
