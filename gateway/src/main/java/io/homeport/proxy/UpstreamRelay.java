package io.homeport.proxy;

import io.homeport.upstream.UpstreamConnections;
import io.homeport.upstream.UpstreamHttpCodec;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The upstream side of the proxy: streams one response at a time back to the client connection,
 * reading more from the backend only while the client can take it. Lives in a pooled upstream
 * connection's pipeline and is bound to the exchange it currently serves.
 */
final class UpstreamRelay extends ChannelInboundHandlerAdapter {

    private final ProxyContext proxy;
    private Exchange exchange;
    private CodecRequest request;
    /** The current response's: the upstream connection may be reused after it. */
    private boolean upstreamKeepAlive;
    /** The current response's: the client connection ends after it. */
    private boolean closeClient;

    UpstreamRelay(ProxyContext proxy) {
        this.proxy = proxy;
    }

    /** Serves {@code current}, sent as {@code request}; a pooled connection serves many client connections in turn. */
    void bind(Exchange current, CodecRequest request) {
        this.exchange = current;
        this.request = request;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange current = exchange;
        if (current == null || current.finished) {
            ReferenceCountUtil.release(msg); // nothing asked for this: the connection is not reusable
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                current.forwarder.fail(current, HttpResponseStatus.BAD_GATEWAY, "upstream " + current.endpoint
                        + " sent a malformed response: " + response.decoderResult().cause().getMessage());
                return;
            }
            if (WebSocketTunnel.opens(current, request, response)) {
                exchange = null;
                WebSocketTunnel.open(ctx, current, response); // replaces this handler
                return;
            }
            if (response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(msg); // the gateway answered Expect: 100-continue itself
                return;
            }
            onResponseHead(current, response);
        }
        if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
            // A body the decoder cannot follow (a bad chunk size): the answer cannot be finished. What
            // went out of it stays cut short, and the client connection closes, as on the direct path.
            Throwable cause = content.decoderResult().cause();
            ReferenceCountUtil.release(msg);
            current.forwarder.fail(current, HttpResponseStatus.BAD_GATEWAY, "upstream " + current.endpoint
                    + " sent a malformed response body: " + cause.getMessage());
            return;
        }
        if (msg instanceof HttpContent content) {
            onResponseBody(ctx, current, content);
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponseHead(Exchange current, HttpResponse response) {
        current.forwarder.responseStarted(current, response.status().code());
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        boolean lengthKnown = HttpUtil.isContentLengthSet(response);

        HttpHeaders headers = response.headers();
        ForwardedHeaders.stripHopByHop(headers);
        headers.set(ForwardedHeaders.X_HOMEPORT_REGION, current.servingRegion);
        if (!headers.contains(ForwardedHeaders.X_REQUEST_ID)) {
            headers.set(ForwardedHeaders.X_REQUEST_ID, current.requestId());
        }
        boolean keepClient = !current.answerSaysClose();
        boolean mayHaveBody = !isBodiless(current, response.status());
        if (mayHaveBody && !lengthKnown) {
            if (request.clientVersion.equals(HttpVersion.HTTP_1_0)) {
                keepClient = false; // an HTTP/1.0 client cannot read chunks: the body ends at close
            } else {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        if (!keepClient) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.clientVersion.equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        closeClient = !keepClient;
        current.client.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers));
    }

    private static boolean isBodiless(Exchange current, HttpResponseStatus status) {
        int code = status.code();
        return code == 204 || code == 304 || current.facts.method().equals("HEAD");
    }

    private void onResponseBody(ChannelHandlerContext ctx, Exchange current, HttpContent content) {
        if (!current.responseStarted) {
            ReferenceCountUtil.release(content);
            return;
        }
        if (!(content instanceof LastHttpContent)) {
            current.client.writeAndFlush(content);
            return;
        }
        current.client.writeAndFlush(content).addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess()) {
                future.channel().close();
            }
        });
        exchange = null;
        // Bytes past the answer would be read as the next exchange's: such a connection is not reused.
        boolean reusable = upstreamKeepAlive && current.requestComplete && ctx.channel().isActive()
                && !(ctx.pipeline().get(UpstreamConnections.CODEC) instanceof UpstreamHttpCodec codec
                        && codec.holdsUnreadBytes());
        if (reusable) {
            proxy.upstreams().release(current.endpoint, ctx.channel(), UpstreamConnections.Framing.HTTP_CODEC);
        } else {
            ctx.close();
        }
        current.forwarder.finish(current, current.status, null, closeClient);
    }

    /** Reads on while an answer is owed and the client can take more; the client's writability resumes it. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange current = exchange;
        if (current != null && !current.finished && current.client.channel().isWritable()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange current = exchange;
        if (ctx.channel().isWritable() && current != null) {
            request.owner.upstreamWritable(current);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange current = exchange;
        exchange = null;
        if (current != null && !current.finished) {
            if (!current.responseStarted) {
                proxy.regions().health().recordFailure(current.endpoint);
            }
            if (!current.forwarder.retryOnFreshConnection(current)) {
                current.forwarder.fail(current, HttpResponseStatus.BAD_GATEWAY, "upstream " + current.endpoint
                        + " closed the connection before the response was complete");
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && exchange == null) {
            ctx.close(); // idle in the pool for too long
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // channelInactive answers the client
    }
}
