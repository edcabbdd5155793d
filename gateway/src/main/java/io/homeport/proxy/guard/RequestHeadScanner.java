package io.homeport.proxy.guard;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Sits before the HTTP decoder and notes, for each request head, what the decoder normalizes away
 * (see {@link RawHead}); {@link RequestGuardHandler} takes the note when the decoder's request
 * arrives. Every byte is passed on unchanged. Once the connection stops speaking HTTP/1.x (an
 * upgrade removed the codec), it removes itself.
 */
public final class RequestHeadScanner extends ChannelInboundHandlerAdapter {

    private final RequestStream stream = new RequestStream();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            if (ctx.pipeline().get(HttpServerCodec.class) == null) {
                ctx.pipeline().remove(this);
            } else {
                stream.scan(bytes); // before the decoder sees these bytes, so the note is ready before its request
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** The raw facts of the next request head the decoder produces, or null when none was seen. */
    RawHead nextHead() {
        return stream.poll();
    }
}
