package io.homeport.proxy.guard;

import io.homeport.proxy.ErrorResponses;
import io.homeport.proxy.Refusal;
import io.homeport.proxy.Refusals;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Sits before the HTTP decoder and notes, for each request head, what the decoder normalizes away
 * (see {@link RawHead}); {@link RequestGuardHandler} takes the note when the decoder's request
 * arrives. Every byte is passed on unchanged. Once the connection stops speaking HTTP/1.x (an
 * upgrade removed the codec), it removes itself.
 */
public final class RequestHeadScanner extends ChannelInboundHandlerAdapter {

    private final RequestStream stream = new RequestStream();
    private final Refusals refusals;

    /** Records nothing: for tests of the guards alone. */
    public RequestHeadScanner() {
        this(Refusals.UNRECORDED);
    }

    /** @param refusals where a refused chunked body is counted and logged */
    public RequestHeadScanner(Refusals refusals) {
        this.refusals = refusals;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            if (ctx.pipeline().get(HttpServerCodec.class) == null) {
                ctx.pipeline().remove(this);
            } else if (!stream.scan(bytes)) { // before the decoder sees these bytes, so the note is ready before its request
                refuse(ctx, bytes);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * A chunked body the decoder would re-frame leniently: 400 and the connection closes, and none of
     * these bytes reaches the decoder, so nothing of the bad chunk (or a request hidden after it) is
     * forwarded. The upstream request it belonged to is left unfinished and closed with the connection.
     */
    private void refuse(ChannelHandlerContext ctx, ByteBuf bytes) {
        bytes.release();
        FullHttpResponse response = refusals.answer(ctx.channel(), Refusal.FRAMING, HttpResponseStatus.BAD_REQUEST,
                "malformed chunked body: " + stream.refusal());
        ctx.writeAndFlush(ErrorResponses.toHttp1(ctx.alloc(), response)).addListener(ChannelFutureListener.CLOSE);
    }

    /** The raw facts of the next request head the decoder produces, or null when none was seen. */
    RawHead nextHead() {
        return stream.poll();
    }
}
