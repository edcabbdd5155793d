package io.homeport.proxy;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers requests the HTTP decoder could not read, or that the request guard refused (a {@link
 * RequestRejectedException} as the decoder failure), with a 4xx and closes the connection: after a
 * framing error nothing that follows on the connection can be trusted, so nothing is forwarded.
 */
public final class MalformedRequestHandler extends ChannelInboundHandlerAdapter {

    private boolean rejected;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
            rejected = true;
            ReferenceCountUtil.release(msg);
            reject(ctx, object.decoderResult());
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private static void reject(ChannelHandlerContext ctx, DecoderResult result) {
        Throwable cause = result.cause();
        HttpResponseStatus status;
        String error;
        String allow = null;
        if (cause instanceof RequestRejectedException refused) {
            status = refused.status();
            error = refused.getMessage();
            allow = refused.allow();
        } else if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            error = "request line too long";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            error = "request headers too large";
        } else if (cause instanceof TooLongFrameException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            error = "request too large";
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
            error = "malformed request";
        }
        FullHttpResponse response = ErrorResponses.of(ctx.alloc(), status, error, null);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (allow != null) {
            response.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
