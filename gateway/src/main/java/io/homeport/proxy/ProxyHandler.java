package io.homeport.proxy;

import io.homeport.netty.Closing;
import io.homeport.reload.ServingConfig;
import io.homeport.rules.RoutingRules;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of the codec path (Netty's HTTP/1.x decoder, and every HTTP/2 stream): reads each
 * request's facts from the decoded head, rewrites its headers for upstream, hands it to the
 * {@link Forwarder}, and streams the request body up with backpressure. The upstream side is
 * {@link UpstreamRelay}.
 *
 * <p>Implementation notes: the channel runs with AUTO_READ off behind a {@code FlowControlHandler},
 * so every {@code ctx.read()} yields at most one HTTP message. The handler reads the next request
 * only when the current response is complete, which keeps pipelined responses in order, and the
 * next body chunk only when the upstream connection can take it, which keeps memory flat however
 * large the body.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter implements ClientSide {

    private static final Logger logger = LoggerFactory.getLogger(ProxyHandler.class);

    private final ProxyContext proxy;
    private final boolean tls;
    private final long maxBodyBytes;
    private final boolean dropUnderscores;
    private ChannelHandlerContext ctx;
    private Forwarder forwarder;
    /** A read was asked for and no message has come of it yet (the decoder may need more bytes). */
    /** The request head whose user's pin was just fetched (or failed to be): decided now, not fetched again. */
    private HttpRequest pinFetchedFor;
    private boolean readPending;

    public ProxyHandler(ProxyContext proxy, boolean tls) {
        this(proxy, tls, ProxySettings.DEFAULTS);
    }

    /**
     * @param settings the listener's: a streamed request body that grows past {@code
     *     maxRequestBodyBytes} gets 413 and the connection closes; header names with an underscore
     *     are dropped unless {@code headersWithUnderscores} allows them (the guard rejects them before)
     */
    public ProxyHandler(ProxyContext proxy, boolean tls, ProxySettings settings) {
        this.proxy = proxy;
        this.tls = tls;
        this.maxBodyBytes = settings.maxRequestBodyBytes();
        this.dropUnderscores = settings.headersWithUnderscores() != ProxySettings.HeadersWithUnderscores.ALLOW;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.forwarder = new Forwarder(proxy, this, ctx);
    }

    /** This connection's forwarding core. */
    Forwarder forwarder() {
        return forwarder;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        requestRead(ctx);
        ctx.fireChannelActive();
    }

    /** Asks for the next message; {@link #channelReadComplete} keeps asking until one arrives. */
    private void requestRead(ChannelHandlerContext ctx) {
        readPending = true;
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (readPending) {
            ctx.read(); // the bytes read so far did not complete a message
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readPending = false;
        if (forwarder.closing()) {
            ReferenceCountUtil.release(msg); // the drain closes this connection: nothing more starts on it
            return;
        }
        if (msg instanceof HttpRequest request) {
            if (!onRequestHead(ctx, request, msg)) {
                return; // held while the user's pin is fetched
            }
            if (msg instanceof HttpContent content) {
                onBody(ctx, content); // only a decoder's synthesized full request; handled upstream of here
            }
        } else if (msg instanceof HttpContent content) {
            onBody(ctx, content);
        } else {
            ReferenceCountUtil.release(msg);
            requestRead(ctx);
        }
    }

    /**
     * Decides the request and starts its exchange; false when, instead, the request is held while
     * its user's pin is fetched (the decision could not read it), to be read again once it is.
     */
    private boolean onRequestHead(ChannelHandlerContext ctx, HttpRequest request, Object msg) {
        ServingConfig config = proxy.config().current();
        RoutingRules rules = config.snapshot().rules();
        HttpHeaders headers = request.headers();
        String uri = originForm(request.uri());
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        boolean hasBody = chunked || HttpUtil.getContentLength(request, 0L) > 0;
        Channel channel = ctx.channel();
        InetAddress peer = ClientConnection.peer(channel);
        RequestFacts facts = new RequestFacts(
                peer,
                ClientConnection.peerSource(channel),
                joined(headers, ForwardedHeaders.X_FORWARDED_FOR),
                joined(headers, ForwardedHeaders.FORWARDED),
                rules.residency().users().map(users -> headers.get(users.identityHeader())).orElse(null),
                hostWithoutPort(headers.get(HttpHeaderNames.HOST)),
                pathOf(uri),
                request.method().name(),
                ForwardedHeaders.requestId(headers),
                !HttpUtil.isKeepAlive(request),
                !hasBody);
        Exchange exchange = new Exchange(config, forwarder, facts);
        if (request != pinFetchedFor) {
            java.util.concurrent.CompletionStage<?> fetching = proxy.pins().before(rules, facts.userId(), exchange.decision());
            if (fetching != null) {
                hold(ctx, request, msg, fetching);
                return false;
            }
        }
        pinFetchedFor = null;

        if (dropUnderscores) {
            int dropped = ForwardedHeaders.dropNamesWithUnderscores(headers);
            if (dropped > 0) {
                proxy.metrics().headersWithUnderscores("dropped", dropped);
            }
        }
        ForwardedHeaders.forUpstream(headers, peer, proxy.clientAddresses().isTrusted(peer), tls, facts.requestId(),
                exchange.decision().country(), exchange.decision().region(), chunked);
        exchange.request(new CodecRequest(new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), uri, headers),
                request.protocolVersion(), this));
        forwarder.start(exchange);
        return true;
    }

    /**
     * Holds {@code msg} until {@code fetching} completes, then reads it again (decided with the pin
     * now in the near-cache, or by the failure policy). Nothing more is read meanwhile: the next read
     * is the exchange's to ask for. (An HTTP/2 stream's bodiless request is a FullHttpRequest: held,
     * then passed on or released.)
     */
    private void hold(ChannelHandlerContext ctx, HttpRequest request, Object msg, java.util.concurrent.CompletionStage<?> fetching) {
        forwarder.holding(true);
        fetching.whenComplete((ignored, error) -> ctx.executor().execute(() -> {
            pinFetchedFor = request;
            if (ctx.channel().isActive()) {
                channelRead(ctx, msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
            forwarder.holding(false); // after the exchange started: in flight all along
        }));
    }

    private void onBody(ChannelHandlerContext ctx, HttpContent content) {
        Exchange current = forwarder.current();
        boolean last = content instanceof LastHttpContent;
        if (current == null) {
            // The tail of a bodiless request the gateway already answered: drop it, read the next request.
            ReferenceCountUtil.release(content);
            if (last) {
                requestRead(ctx);
            }
            return;
        }
        if (current.finished) {
            ReferenceCountUtil.release(content);
            return;
        }
        if (current.upstream == null) {
            // Never expected (reads stop while connecting), but a chunk with nowhere to go must not vanish.
            ReferenceCountUtil.release(content);
            forwarder.fail(current, HttpResponseStatus.BAD_GATEWAY, "request body arrived while no upstream connection was open");
            return;
        }
        current.bodyBytes += content.content().readableBytes();
        if (current.bodyBytes > maxBodyBytes) {
            // A chunked (or HTTP/2) body declares no length: it is refused when it passes the limit.
            ReferenceCountUtil.release(content);
            proxy.metrics().requestRefused(Refusal.BODY_TOO_LARGE.label()); // its line is the exchange's own
            forwarder.fail(current, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body larger than " + maxBodyBytes
                    + " bytes (proxy.max_request_body_bytes)");
            return;
        }
        if (content.content().isReadable()) {
            current.bodyBytesSent = true;
        }
        Channel upstream = current.upstream;
        upstream.writeAndFlush(content).addListener(this::onUpstreamWrite);
        if (last) {
            forwarder.requestComplete(current);
        } else if (upstream.isWritable()) {
            requestRead(ctx);
        }
    }

    /** A write upstream failed: the connection closes, and its relay answers the client. */
    void onUpstreamWrite(io.netty.util.concurrent.Future<? super Void> future) {
        if (!future.isSuccess()) {
            Exchange current = forwarder.current();
            if (current != null && current.upstream != null) {
                current.upstream.close();
            }
        }
    }

    /** Called by the relay when the upstream connection can take more of the request body. */
    void upstreamWritable(Exchange current) {
        if (current == forwarder.current() && !current.requestComplete && !current.finished && !readPending) {
            requestRead(ctx);
        }
    }

    // --- ClientSide ------------------------------------------------------------------------------

    @Override
    public void writeAnswer(Exchange exchange, FullHttpResponse response) {
        ctx.writeAndFlush(response);
    }

    @Override
    public void readRequestBody(Exchange exchange) {
        requestRead(ctx); // the first body chunk, or the empty last chunk of a bodiless request
    }

    @Override
    public void exchangeEnded(Exchange exchange, boolean close) {
        if (close) {
            Closing.afterWrites(ctx.channel());
        } else {
            requestRead(ctx); // the next request on this keep-alive connection
        }
    }

    // --- the connection --------------------------------------------------------------------------

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            forwarder.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        forwarder.clientClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        forwarder.stopTimer();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && forwarder.idle()) {
            return;
        }
        if (event == Drain.Event.STARTED) {
            forwarder.drainStarted();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug("client connection {} failed", ctx.channel(), cause);
        ctx.close();
    }

    private static String joined(HttpHeaders headers, CharSequence name) {
        java.util.List<String> values = headers.getAll(name);
        if (values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.get(0) : String.join(",", values);
    }

    /** The Host header's host, lower case, without its port; null when there is none. */
    public static String hostWithoutPort(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close > 0 ? host.substring(0, close + 1) : host;
        }
        int colon = host.indexOf(':');
        return (colon >= 0 ? host.substring(0, colon) : host).toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code http://host/path?q} becomes {@code /path?q}; origin-form is kept as is. */
    static String originForm(String uri) {
        if (uri.startsWith("/")) {
            return uri;
        }
        int scheme = uri.indexOf("://");
        if (scheme > 0) {
            int authorityStart = scheme + 3;
            int path = uri.indexOf('/', authorityStart);
            int query = uri.indexOf('?', authorityStart);
            if (path < 0 || (query >= 0 && query < path)) {
                return query < 0 ? "/" : "/" + uri.substring(query); // http://host?q=1 is /?q=1
            }
            return uri.substring(path);
        }
        return uri; // "*" for OPTIONS, or something the upstream will judge
    }

    /** The request target without its query. */
    public static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
