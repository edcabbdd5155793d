package io.homeport.proxy.guard;

import io.homeport.proxy.Refusal;
import io.homeport.proxy.Refusals;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cuts off a client that takes too long to send a request head (slowloris): 408 JSON, then close.
 * The clock runs from the connection's start until its first head is complete, and on a keep-alive
 * connection from the first bytes after a response until the next head is complete. Waiting for
 * those first bytes is idleness, which the idle timeout governs; trickling a head is not.
 * Sits right after the decoder, so it sees a head as soon as it is complete, even while an earlier
 * pipelined response is still in flight.
 */
public final class RequestHeadTimeoutHandler extends ChannelDuplexHandler {

    private final long timeoutNanos;
    private ScheduledFuture<?> timer;
    /** Request heads received and not yet answered in full. */
    private int unanswered;
    /** A response just ended with no head waiting: the next clock starts with the next bytes. */
    private boolean awaitingBytes;
    /** The response in flight is informational (1xx): its end is not the end of the exchange. */
    private boolean informational;

    private final Refusals refusals;

    /** Records nothing: for tests of the handler alone. */
    public RequestHeadTimeoutHandler(Duration timeout) {
        this(timeout, Refusals.UNRECORDED);
    }

    /** @param refusals where a timed-out head is counted and logged */
    public RequestHeadTimeoutHandler(Duration timeout, Refusals refusals) {
        this.refusals = refusals;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            unanswered++;
            awaitingBytes = false;
            cancel();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (awaitingBytes && unanswered == 0) {
            awaitingBytes = false;
            start(ctx); // bytes of the next request arrived (or part of one)
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                ctx.pipeline().remove(this); // no more HTTP/1.x heads on this connection
            }
            informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        }
        if (msg instanceof LastHttpContent && !informational && unanswered > 0 && --unanswered == 0) {
            awaitingBytes = true;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void start(ChannelHandlerContext ctx) {
        if (timer == null) {
            timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (unanswered > 0 || !ctx.channel().isActive()) {
            return;
        }
        FullHttpResponse response = refusals.answer(ctx.channel(), Refusal.HEAD_TIMEOUT, HttpResponseStatus.REQUEST_TIMEOUT,
                "request head not received within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
