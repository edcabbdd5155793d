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
import io.netty.handler.codec.http.HttpRequest;
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

    private final Refusals refusals;
    private boolean rejected;

    /** Records nothing: for tests of the handler alone. */
    public MalformedRequestHandler() {
        this(Refusals.UNRECORDED);
    }

    /** @param refusals where each refusal is counted and logged */
    public MalformedRequestHandler(Refusals refusals) {
        this.refusals = refusals;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
            rejected = true;
            if (!ctx.channel().isActive()) {
                // The decoder's last word on a closed connection (a head cut short): nobody to answer,
                // and whatever ended the connection (a timeout, the client) was recorded already.
                ReferenceCountUtil.release(msg);
                return;
            }
            HttpRequest request = msg instanceof HttpRequest head ? head : null;
            String method = request == null ? null : request.method().name();
            String target = request == null ? null : request.uri();
            ReferenceCountUtil.release(msg);
            reject(ctx, object.decoderResult(), method, target);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void reject(ChannelHandlerContext ctx, DecoderResult result, String method, String target) {
        Throwable cause = result.cause();
        HttpResponseStatus status;
        Refusal refusal;
        String error;
        String allow = null;
        if (cause instanceof RequestRejectedException refused) {
            status = refused.status();
            refusal = refused.refusal();
            error = refused.getMessage();
            allow = refused.allow();
        } else if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            refusal = Refusal.HEAD_TOO_LARGE;
            error = "request line too long";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            refusal = Refusal.HEAD_TOO_LARGE;
            error = "request headers too large";
        } else if (cause instanceof TooLongFrameException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            refusal = Refusal.HEAD_TOO_LARGE;
            error = "request too large";
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
            refusal = isFraming(cause) ? Refusal.FRAMING : Refusal.MALFORMED;
            error = "malformed request";
        }
        // The decoder's own words go to the access log only: they may quote the client's bytes at length.
        String logged = cause instanceof RequestRejectedException || cause == null || cause.getMessage() == null
                ? error
                : error + ": " + cause.getMessage();
        String requestId = refusals.record(ctx.channel(), refusal, status.code(), logged, method, target);
        FullHttpResponse response = ErrorResponses.of(ctx.alloc(), status, error, requestId);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (allow != null) {
            response.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** Whether the decoder refused the message's framing (Content-Length, Transfer-Encoding, chunks): smuggling's tools. */
    private static boolean isFraming(Throwable cause) {
        String message = cause == null || cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(java.util.Locale.ROOT);
        return message.contains("content-length") || message.contains("transfer-encoding") || message.contains("chunk");
    }
}
