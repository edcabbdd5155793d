package io.homeport.proxy.guard;

import io.homeport.proxy.Refusal;
import io.homeport.proxy.RequestRejectedException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link RequestChecks} to each decoded request head, right after the decoder. A refused
 * request is not answered here: it is marked as a decoder failure, so the handler that answers
 * malformed requests does it in order (after any pipelined response still in flight) and closes
 * the connection; nothing of it reaches the proxy.
 */
public final class RequestGuardHandler extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(RequestGuardHandler.class);

    private final int maxHeaderCount;
    private final long maxBodyBytes;
    private final boolean rejectUnderscores;
    private final RequestHeadScanner scanner;

    /**
     * @param scanner the scanner before the decoder on this connection, or null to check only the
     *     decoded head (then obs-fold and a Content-Length beside Transfer-Encoding go unseen)
     */
    public RequestGuardHandler(int maxHeaderCount, RequestHeadScanner scanner) {
        this(maxHeaderCount, Long.MAX_VALUE, scanner);
    }

    /** @param maxBodyBytes a larger declared Content-Length gets 413, before a {@code 100 Continue} */
    public RequestGuardHandler(int maxHeaderCount, long maxBodyBytes, RequestHeadScanner scanner) {
        this(maxHeaderCount, maxBodyBytes, false, scanner);
    }

    /** @param rejectUnderscores a header name with an underscore gets 400 ({@code proxy.headers_with_underscores: reject}) */
    public RequestGuardHandler(int maxHeaderCount, long maxBodyBytes, boolean rejectUnderscores, RequestHeadScanner scanner) {
        if (maxHeaderCount < 1) {
            throw new IllegalArgumentException("maxHeaderCount: " + maxHeaderCount + " (expected: > 0)");
        }
        this.maxHeaderCount = maxHeaderCount;
        this.maxBodyBytes = maxBodyBytes;
        this.rejectUnderscores = rejectUnderscores;
        this.scanner = scanner;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
            RequestRejectedException refusal = check(request);
            if (refusal != null) {
                logger.debug("refused a request from {}: {} {}", ctx.channel().remoteAddress(), refusal.status().code(),
                        refusal.getMessage());
                request.setDecoderResult(DecoderResult.failure(refusal));
            }
        }
        ctx.fireChannelRead(msg);
    }

    private RequestRejectedException check(HttpRequest request) {
        if (scanner == null) {
            return RequestChecks.check(request, null, maxHeaderCount, maxBodyBytes, rejectUnderscores);
        }
        RawHead raw = scanner.nextHead();
        if (raw == null) {
            // Only after a request whose framing the scanner could not follow, which was refused itself.
            return new RequestRejectedException(HttpResponseStatus.BAD_REQUEST, Refusal.FRAMING, "request framing could not be followed");
        }
        return RequestChecks.check(request, raw, maxHeaderCount, maxBodyBytes, rejectUnderscores);
    }
}
