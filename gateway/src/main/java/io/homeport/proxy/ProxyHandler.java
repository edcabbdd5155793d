package io.homeport.proxy;

import io.homeport.reload.ServingConfig;
import io.homeport.routing.Decision;
import io.homeport.routing.RoutingRequest;
import io.homeport.upstream.RegionSelector;
import io.homeport.rules.RoutingRules;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.ReferenceCountUtil;
import io.homeport.routing.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of the proxy: decides each request's region once, opens or reuses an upstream
 * connection on this event loop, and streams the request body up with backpressure. The upstream
 * side is {@link UpstreamRelay}.
 *
 * <p>Implementation notes: the channel runs with AUTO_READ off behind a {@code FlowControlHandler},
 * so every {@code ctx.read()} yields at most one HTTP message. The handler reads the next request
 * only when the current response is complete, which keeps pipelined responses in order, and the
 * next body chunk only when the upstream connection can take it, which keeps memory flat however
 * large the body.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(ProxyHandler.class);

    private final ProxyContext proxy;
    private final boolean tls;
    private final long maxBodyBytes;
    private final boolean dropUnderscores;
    private Exchange exchange;
    private ScheduledFuture<?> responseTimer;
    /** A read was asked for and no message has come of it yet (the decoder may need more bytes). */
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
        if (msg instanceof HttpRequest request) {
            onRequestHead(ctx, request);
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

    private void onRequestHead(ChannelHandlerContext ctx, HttpRequest request) {
        ServingConfig config = proxy.config().current();
        RoutingRules rules = config.snapshot().rules();
        HttpHeaders headers = request.headers();
        InetAddress peer = ClientConnection.peer(ctx.channel());
        String forwardedFor = joined(headers, ForwardedHeaders.X_FORWARDED_FOR);
        String forwarded = joined(headers, ForwardedHeaders.FORWARDED);
        String userId = rules.residency().users().map(users -> headers.get(users.identityHeader())).orElse(null);
        String host = hostWithoutPort(headers.get(HttpHeaderNames.HOST));
        String uri = originForm(request.uri());
        String path = pathOf(uri);

        // IPv4 clients take the allocation-free path; anything else the general one. Same answer.
        long ipv4 = peer instanceof Inet4Address v4
                ? proxy.clientAddresses().resolveIpv4(IpAddresses.bitsOf(v4), forwardedFor, forwarded)
                : -1;
        InetAddress client;
        ClientIp clientIp;
        Decision decision;
        ClientIp peerSource = ClientConnection.peerSource(ctx.channel());
        if (ipv4 >= 0) {
            client = IpAddresses.ipv4((int) ipv4);
            clientIp = ClientAddressResolver.sourceOfIpv4(ipv4, peerSource);
            decision = config.snapshot().decideIpv4((int) ipv4, userId, host, path);
        } else {
            ClientAddressResolver.Resolved resolved = proxy.clientAddresses().resolve(peer, peerSource, forwardedFor, forwarded);
            client = resolved.address();
            clientIp = resolved.source();
            decision = config.snapshot().decide(new RoutingRequest(client, userId, host, path));
        }
        proxy.metrics().decision(decision.reason());
        proxy.metrics().clientIpSource(clientIp.source());

        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        boolean hasBody = chunked || HttpUtil.getContentLength(request, 0L) > 0;
        String requestId = ForwardedHeaders.requestId(headers);
        if (dropUnderscores) {
            int dropped = ForwardedHeaders.dropNamesWithUnderscores(headers);
            if (dropped > 0) {
                proxy.metrics().headersWithUnderscores("dropped", dropped);
            }
        }
        ForwardedHeaders.forUpstream(headers, peer, proxy.clientAddresses().isTrusted(peer), tls, requestId,
                decision.country(), decision.region(), chunked);
        HttpRequest upstreamRequest = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), uri, headers);

        proxy.listener().started();
        exchange = new Exchange(ctx, upstreamRequest, request.protocolVersion(), keepAlive, hasBody, requestId,
                client, host, path, userId, decision);
        exchange.rules = rules;
        exchange.audit = config.audit();
        exchange.clientIp = clientIp;
        proxy.retryBudget().requestStarted();
        route(exchange);
    }

    /**
     * Picks the endpoint: the home region's, or a region its rules let it fail over to, never any
     * other. When none is available the answer is 503, whatever other regions could serve.
     */
    private void route(Exchange current) {
        if (current.decision.refused()) {
            fail(current, HttpResponseStatus.SERVICE_UNAVAILABLE, ProxyContext.LOOKUP_ERROR_REFUSAL);
            return;
        }
        String home = current.decision.region();
        RegionSelector.Selection selection = proxy.select(current.rules, home, current.tried);
        if (selection == null) {
            fail(current, HttpResponseStatus.SERVICE_UNAVAILABLE, ProxyContext.noRegionError(current.rules, home, current.tried));
            return;
        }
        current.servingRegion = selection.region();
        current.endpoint = selection.endpoint();
        current.upstreamRequest.headers().set(ForwardedHeaders.X_HOMEPORT_REGION, selection.region());
        sendUpstream(current);
    }

    /** A connection to the endpoint failed before anything was sent: safe to try elsewhere, budget permitting. */
    private void onConnectFailure(Exchange current, Throwable cause) {
        proxy.regions().health().recordFailure(current.endpoint);
        current.tried.add(current.endpoint);
        if (proxy.retryBudget().tryRetry(System.nanoTime())) {
            route(current);
        } else {
            fail(current, HttpResponseStatus.BAD_GATEWAY, "upstream " + current.endpoint + " unreachable ("
                    + cause.getMessage() + ") and the retry budget is spent");
        }
    }

    /** Sends the exchange's request head on a pooled connection, or on a new one. */
    private void sendUpstream(Exchange current) {
        current.attempts++;
        Channel pooled = proxy.upstreams().pollIdle(current.endpoint);
        if (pooled != null) {
            attach(current, pooled, true);
            return;
        }
        long connectStart = System.nanoTime();
        ChannelFuture connecting = proxy.upstreams().connect(current.endpoint, current.client.channel().eventLoop());
        connecting.addListener((ChannelFutureListener) future -> {
            if (current.finished) {
                future.channel().close();
            } else if (future.isSuccess()) {
                proxy.metrics().upstreamConnected(System.nanoTime() - connectStart);
                attach(current, future.channel(), false);
            } else {
                onConnectFailure(current, future.cause());
            }
        });
    }

    private void attach(Exchange current, Channel upstream, boolean reused) {
        releaseLoad(current);
        proxy.regions().health().requestStarted(current.endpoint);
        current.loadCountedOn = current.endpoint;
        current.upstream = upstream;
        current.reusedConnection = reused;
        UpstreamRelay relay = upstream.pipeline().get(UpstreamRelay.class);
        if (relay == null) {
            relay = new UpstreamRelay(proxy);
            upstream.pipeline().addLast(relay);
        }
        relay.bind(current, this);
        current.upstreamSentNanos = System.nanoTime();
        upstream.write(current.upstreamRequest).addListener(this::onUpstreamWrite);
        if (current.requestComplete) {
            // A retry of a bodiless request whose (empty) last chunk went to the dead connection.
            upstream.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(this::onUpstreamWrite);
        }
        upstream.flush();
        upstream.read();
        if (current.requestComplete) {
            startResponseTimeout(current);
        } else {
            requestRead(current.client); // the first body chunk, or the empty last chunk of a bodiless request
        }
    }

    private void onBody(ChannelHandlerContext ctx, HttpContent content) {
        Exchange current = exchange;
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
            fail(current, HttpResponseStatus.BAD_GATEWAY, "request body arrived while no upstream connection was open");
            return;
        }
        current.bodyBytes += content.content().readableBytes();
        if (current.bodyBytes > maxBodyBytes) {
            // A chunked (or HTTP/2) body declares no length: it is refused when it passes the limit.
            ReferenceCountUtil.release(content);
            proxy.metrics().requestRefused(Refusal.BODY_TOO_LARGE.label()); // its line is the exchange's own
            fail(current, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body larger than " + maxBodyBytes
                    + " bytes (proxy.max_request_body_bytes)");
            return;
        }
        if (last) {
            current.requestComplete = true;
        }
        if (content.content().isReadable()) {
            current.bodyBytesSent = true;
        }
        Channel upstream = current.upstream;
        upstream.writeAndFlush(content).addListener(this::onUpstreamWrite);
        if (last) {
            startResponseTimeout(current);
        } else if (upstream.isWritable()) {
            requestRead(ctx);
        }
    }

    /** The response-header timeout runs from the end of the request, so a long upload is not cut short. */
    private void startResponseTimeout(Exchange current) {
        if (current.responseStarted || current.responseDeadline != 0) {
            return;
        }
        long timeoutNanos = proxy.upstreams().timeouts().responseHeaders().toNanos();
        current.responseDeadline = (System.nanoTime() + timeoutNanos) | 1; // never 0, which means "none"
        if (responseTimer == null) {
            armResponseTimer(current.client, timeoutNanos);
        }
    }

    /**
     * One timer per connection, re-armed only when it fires early: scheduling and cancelling a
     * task for every request cost a priority-queue insert and removal each time.
     */
    private void armResponseTimer(ChannelHandlerContext ctx, long delayNanos) {
        responseTimer = ctx.executor().schedule(() -> onResponseTimer(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void onResponseTimer(ChannelHandlerContext ctx) {
        responseTimer = null;
        Exchange current = exchange;
        if (current == null || current.responseDeadline == 0 || current.responseStarted || current.finished) {
            return; // answered in time; the next request arms the timer again
        }
        long remaining = current.responseDeadline - System.nanoTime();
        if (remaining > 0) {
            armResponseTimer(ctx, remaining);
            return;
        }
        proxy.regions().health().recordFailure(current.endpoint);
        fail(current, HttpResponseStatus.GATEWAY_TIMEOUT, "upstream " + current.endpoint + " sent no response in "
                + proxy.upstreams().timeouts().responseHeaders().toMillis() + " ms");
    }

    private void onUpstreamWrite(io.netty.util.concurrent.Future<? super Void> future) {
        if (!future.isSuccess()) {
            Exchange current = exchange;
            if (current != null && current.upstream != null) {
                current.upstream.close(); // UpstreamRelay.channelInactive answers the client
            }
        }
    }

    /** Called by the relay when the upstream connection can take more of the request body. */
    void upstreamWritable(Exchange current) {
        if (current == exchange && !current.requestComplete && !current.finished && !readPending) {
            requestRead(current.client);
        }
    }

    /** Called by the relay when a reused connection died before answering: try once more on a fresh one. */
    boolean retryOnFreshConnection(Exchange current) {
        // Only a request seen whole (and bodiless) can be replayed: a body still arriving would be lost.
        if (current != exchange || current.finished || current.attempts > 1 || !current.reusedConnection
                || !current.requestComplete || current.bodyBytesSent || current.responseStarted
                || !proxy.retryBudget().tryRetry(System.nanoTime())) {
            return false;
        }
        current.cancelResponseTimeout();
        Channel pooled;
        while ((pooled = proxy.upstreams().pollIdle(current.endpoint)) != null) {
            pooled.close(); // its siblings from the same idle period are likely just as stale
        }
        current.upstream = null;
        sendUpstream(current);
        return true;
    }

    private void releaseLoad(Exchange current) {
        if (current.loadCountedOn != null) {
            proxy.regions().health().requestEnded(current.loadCountedOn);
            current.loadCountedOn = null;
        }
    }

    /** Answers the client with a gateway error, unless the answer has already begun. */
    void fail(Exchange current, HttpResponseStatus status, String error) {
        if (current.finished) {
            return;
        }
        current.cancelResponseTimeout();
        if (current.upstream != null) {
            current.upstream.close();
        }
        if (current.responseStarted) {
            finish(current, current.status, error, true);
            return;
        }
        logger.debug("request {} failed: {}", current.requestId, error);
        // An unread request body cannot be told apart from the next request, so then the connection ends.
        boolean close = (!current.requestComplete && current.hasBody) || !current.clientKeepAlive;
        FullHttpResponse response = ErrorResponses.of(current.client.alloc(), status, publicMessage(status, error),
                current.requestId);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        current.client.writeAndFlush(response);
        finish(current, status.code(), error, close);
    }

    /** What a 503's body says: that the request may be retried, not why its regions are unavailable. */
    public static final String SERVICE_UNAVAILABLE_MESSAGE = "no region may serve this request now; retry later";

    /** What the client is told: never internal endpoint addresses or routing policy (those go to the access log). */
    public static String publicMessage(HttpResponseStatus status, String error) {
        switch (status.code()) {
            case 502:
                return "upstream failure";
            case 504:
                return "upstream sent no response in time";
            case 408:
                return "request timeout";
            case 503:
                // The routing policy (home region, allowed fail-over, endpoints) is not the internet's
                // business: the access log keeps the details, joined by the request id.
                return SERVICE_UNAVAILABLE_MESSAGE;
            default:
                return error;
        }
    }

    /** Ends the exchange; with {@code close}, also the client connection, once its answer is flushed. */
    void finish(Exchange current, int status, String error, boolean close) {
        if (current.finished) {
            return;
        }
        current.finished = true;
        current.cancelResponseTimeout();
        releaseLoad(current);
        if (exchange == current) {
            exchange = null;
        }
        proxy.checkResidency(current.rules, current.decision, current.servingRegion, current.requestId);
        proxy.metrics().requestCompleted(current.servingRegion != null ? current.servingRegion : current.decision.region(),
                current.decision.route().name(), status,
                System.nanoTime() - current.startNanos);
        proxy.listener().completed(current.completed(status, error));
        Channel client = current.client.channel();
        if (close || (!current.requestComplete && current.hasBody)) {
            client.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            requestRead(current.client); // the next request on this keep-alive connection
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange current = exchange;
        if (ctx.channel().isWritable() && current != null && current.responseStarted && current.upstream != null) {
            current.upstream.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
        Exchange current = exchange;
        if (current != null && !current.finished) {
            current.requestComplete = false;
            if (current.upstream != null) {
                current.upstream.close();
            }
            finish(current, 499, "client closed the connection", true);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            Exchange current = exchange;
            if (current == null) {
                ctx.close(); // an idle keep-alive connection
                return;
            }
            if (!current.requestComplete || current.responseStarted) {
                // Nothing moved either way for the idle timeout: a stalled upload, a stalled response
                // body, or a client that stopped reading. No other timer covers these.
                fail(current, current.responseStarted ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.REQUEST_TIMEOUT,
                        "no progress on the connection for the idle timeout");
                return;
            }
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
