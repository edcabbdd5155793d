package io.homeport.proxy;

import io.homeport.netty.Closing;
import io.homeport.upstream.RegionSelector;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarding core of one client connection, the same for every framing: it takes a decided
 * {@link Exchange} to its region — the residency-safe selection (503 when no allowed region is
 * available), a pooled or new upstream connection, fail-over on connect failure within the retry
 * budget, one retry of a replayable request on a fresh connection, the response deadline — and
 * ends it: the residency check, metrics and the access log. The framings only read and write their
 * representation, behind {@link ClientSide} and {@link UpstreamRequest}.
 *
 * <p>One exchange at a time; event loop only. One response timer per connection, re-armed only
 * when it fires early: scheduling and cancelling a task per request costs a priority-queue insert
 * and removal each time.
 */
public final class Forwarder {

    private static final Logger logger = LoggerFactory.getLogger(Forwarder.class);

    /** What a 503's body says: that the request may be retried, not why its regions are unavailable. */
    public static final String SERVICE_UNAVAILABLE_MESSAGE = "no region may serve this request now; retry later";

    private final ProxyContext proxy;
    private final ClientSide client;
    private final ChannelHandlerContext ctx;
    private Exchange current;
    private ScheduledFuture<?> responseTimer;

    /** A request waits for its pin before its exchange starts ({@link #holding(boolean)}). */
    private boolean holding;

    /** The drain is closing this idle connection ({@link #drainStarted()}): no request on it may start. */
    private boolean closing;

    public Forwarder(ProxyContext proxy, ClientSide client, ChannelHandlerContext ctx) {
        this.proxy = proxy;
        this.client = client;
        this.ctx = ctx;
    }

    public ProxyContext proxy() {
        return proxy;
    }

    ChannelHandlerContext clientContext() {
        return ctx;
    }

    /** The exchange in flight, or null between requests. */
    public Exchange current() {
        return current;
    }

    /** Forwards a decided exchange whose {@link Exchange#request(UpstreamRequest) request} is set. */
    public void start(Exchange exchange) {
        exchange.countDecision(proxy.metrics());
        current = exchange;
        proxy.listener().started();
        proxy.retryBudget().requestStarted();
        route(exchange);
    }

    /**
     * Picks the endpoint: the home region's, or a region its rules let it fail over to, never any
     * other. When none is available the answer is 503, whatever other regions could serve.
     */
    private void route(Exchange exchange) {
        if (exchange.decision.refused()) {
            fail(exchange, HttpResponseStatus.SERVICE_UNAVAILABLE, exchange.decision.reason() == io.homeport.routing.Reason.PIN_UNAVAILABLE
                    ? ProxyContext.PIN_UNAVAILABLE_REFUSAL : ProxyContext.LOOKUP_ERROR_REFUSAL);
            return;
        }
        String home = exchange.decision.region();
        RegionSelector.Selection selection = proxy.select(exchange.rules, home, exchange.tried);
        if (selection == null) {
            fail(exchange, HttpResponseStatus.SERVICE_UNAVAILABLE, ProxyContext.noRegionError(exchange.rules, home, exchange.tried));
            return;
        }
        exchange.servingRegion = selection.region();
        exchange.endpoint = selection.endpoint();
        sendUpstream(exchange);
    }

    /** Sends the request on a pooled connection of its framing, or on a new one. */
    private void sendUpstream(Exchange exchange) {
        exchange.attempts++;
        Channel pooled = proxy.upstreams().pollIdle(exchange.endpoint, exchange.request.framing());
        if (pooled != null) {
            attach(exchange, pooled, true);
            return;
        }
        long connectStart = System.nanoTime();
        ChannelFuture connecting = proxy.upstreams().connect(exchange.endpoint, ctx.channel().eventLoop(),
                exchange.request.framing());
        connecting.addListener((ChannelFutureListener) future -> {
            if (exchange.finished) {
                future.channel().close();
            } else if (future.isSuccess()) {
                proxy.metrics().upstreamConnected(exchange.servingRegion, System.nanoTime() - connectStart);
                attach(exchange, future.channel(), false);
            } else {
                onConnectFailure(exchange, future.cause());
            }
        });
    }

    /** A connection to the endpoint failed before anything was sent: safe to try elsewhere, budget permitting. */
    private void onConnectFailure(Exchange exchange, Throwable cause) {
        proxy.regions().health().recordFailure(exchange.endpoint);
        exchange.tried(exchange.endpoint);
        if (proxy.retryBudget().tryRetry(System.nanoTime())) {
            route(exchange);
        } else {
            fail(exchange, HttpResponseStatus.BAD_GATEWAY, "upstream " + exchange.endpoint + " unreachable ("
                    + cause.getMessage() + ") and the retry budget is spent");
        }
    }

    private void attach(Exchange exchange, Channel upstream, boolean reused) {
        releaseLoad(exchange);
        proxy.regions().health().requestStarted(exchange.endpoint);
        exchange.loadCountedOn = exchange.endpoint;
        exchange.upstream = upstream;
        exchange.reusedConnection = reused;
        exchange.upstreamSentNanos = System.nanoTime();
        exchange.request.send(exchange, upstream);
        if (exchange.requestComplete) {
            startResponseTimeout(exchange);
        } else {
            client.readRequestBody(exchange);
        }
    }

    /** The last of the request body went upstream: the response deadline runs from here, so a long upload is not cut short. */
    public void requestComplete(Exchange exchange) {
        exchange.requestComplete = true;
        startResponseTimeout(exchange);
    }

    /** The response head arrived: the deadline stops, and the endpoint answered. */
    public void responseStarted(Exchange exchange, int status) {
        exchange.responseDeadline = 0;
        exchange.responseStarted = true;
        exchange.status = status;
        proxy.regions().health().recordSuccess(exchange.endpoint);
        proxy.metrics().upstreamResponded(exchange.servingRegion, System.nanoTime() - exchange.upstreamSentNanos);
    }

    /**
     * A reused upstream connection died before answering: the request goes once more on a fresh one,
     * if it can be replayed (seen whole, no body bytes sent) and the retry budget allows. Returns
     * whether it did.
     */
    public boolean retryOnFreshConnection(Exchange exchange) {
        if (exchange != current || exchange.finished || exchange.attempts > 1 || !exchange.reusedConnection
                || !exchange.requestComplete || exchange.bodyBytesSent || exchange.responseStarted
                || !proxy.retryBudget().tryRetry(System.nanoTime())) {
            return false;
        }
        exchange.responseDeadline = 0;
        Channel pooled;
        while ((pooled = proxy.upstreams().pollIdle(exchange.endpoint, exchange.request.framing())) != null) {
            pooled.close(); // its siblings from the same idle period are likely just as stale
        }
        exchange.upstream = null;
        sendUpstream(exchange);
        return true;
    }

    private void startResponseTimeout(Exchange exchange) {
        if (exchange.responseStarted || exchange.responseDeadline != 0) {
            return;
        }
        long timeoutNanos = proxy.upstreams().timeouts().responseHeaders().toNanos();
        exchange.responseDeadline = (System.nanoTime() + timeoutNanos) | 1; // never 0, which means "none"
        if (responseTimer == null) {
            responseTimer = ctx.executor().schedule(this::onResponseTimer, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void onResponseTimer() {
        responseTimer = null;
        Exchange exchange = current;
        if (exchange == null || exchange.responseDeadline == 0 || exchange.responseStarted || exchange.finished) {
            return; // answered in time; the next request arms the timer again
        }
        long remaining = exchange.responseDeadline - System.nanoTime();
        if (remaining > 0) {
            responseTimer = ctx.executor().schedule(this::onResponseTimer, remaining, TimeUnit.NANOSECONDS);
            return;
        }
        proxy.regions().health().recordFailure(exchange.endpoint);
        fail(exchange, HttpResponseStatus.GATEWAY_TIMEOUT, "upstream " + exchange.endpoint + " sent no response in "
                + proxy.upstreams().timeouts().responseHeaders().toMillis() + " ms");
    }

    /** Answers the client with a gateway error, unless the answer has begun; then the connection ends. */
    public void fail(Exchange exchange, HttpResponseStatus status, String error) {
        if (exchange.finished) {
            return;
        }
        exchange.responseDeadline = 0;
        if (exchange.upstream != null) {
            exchange.upstream.close();
        }
        if (exchange.responseStarted) {
            finish(exchange, exchange.status, error, true);
            return;
        }
        logger.debug("request {} failed: {}", exchange.requestId(), error);
        // An unread request body cannot be told apart from the next request, so then the connection ends.
        boolean close = exchange.closesClient();
        FullHttpResponse response = ErrorResponses.of(ctx.alloc(), status, publicMessage(status, error), exchange.requestId());
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        client.writeAnswer(exchange, response);
        finish(exchange, status.code(), error, close);
    }

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

    /**
     * Ends the exchange: the residency check where the answer is sent, metrics, the access log; then
     * the framing reads the next request or, with {@code close} (or a body left unread), ends the connection.
     */
    public void finish(Exchange exchange, int status, String error, boolean close) {
        if (exchange.finished) {
            return;
        }
        exchange.finished = true;
        exchange.responseDeadline = 0;
        releaseLoad(exchange);
        if (current == exchange) {
            current = null;
        }
        proxy.checkResidency(exchange.rules, exchange.decision, exchange.servingRegion, exchange.requestId());
        proxy.metrics().requestCompleted(exchange.servingRegion != null ? exchange.servingRegion : exchange.decision.region(),
                exchange.decision.route().name(), status, System.nanoTime() - exchange.startNanos);
        proxy.listener().completed(exchange.completed(status, error));
        if (exchange.request != null) {
            exchange.request.release();
        }
        // Draining, a connection ends with its exchange even if the answer's head, sent before the
        // drain began, did not say so: left open, it would be closed under the client's next request.
        client.exchangeEnded(exchange, close || proxy.drain().isDraining()
                || (!exchange.requestComplete && !exchange.facts.replayable()));
    }

    private void releaseLoad(Exchange exchange) {
        if (exchange.loadCountedOn != null) {
            proxy.regions().health().requestEnded(exchange.loadCountedOn);
            exchange.loadCountedOn = null;
        }
    }

    /** The client can take more: the answer's upstream reads on. */
    public void clientWritable() {
        Exchange exchange = current;
        if (exchange != null && exchange.responseStarted && exchange.upstream != null) {
            exchange.upstream.read();
        }
    }

    /** The client connection closed: an exchange in flight is abandoned (499) and its upstream connection closed. */
    public void clientClosed() {
        stopTimer();
        Exchange exchange = current;
        if (exchange != null && !exchange.finished) {
            exchange.requestComplete = false; // whatever was still to come will not
            if (exchange.upstream != null) {
                exchange.upstream.close();
            }
            finish(exchange, 499, "client closed the connection", true);
        }
    }

    /**
     * Nothing moved on the client connection for the idle timeout. Between exchanges it closes; a
     * stalled upload (408) or a stalled answer (504: the backend or a client that stopped reading)
     * fails. Returns false when an exchange waits for its response head: the response timer governs.
     */
    public boolean idle() {
        Exchange exchange = current;
        if (exchange == null && holding) {
            return false; // a pin fetch is bounded by its own timeout
        }
        if (exchange == null) {
            ctx.close(); // an idle keep-alive connection
            return true;
        }
        if (!exchange.requestComplete || exchange.responseStarted) {
            fail(exchange, exchange.responseStarted ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.REQUEST_TIMEOUT,
                    "no progress on the connection for the idle timeout");
            return true;
        }
        return false;
    }

    /**
     * The gateway started draining ({@link Drain}): a connection idle between exchanges closes now,
     * once the last answer's bytes have gone out; one with an exchange closes after its answer.
     */
    public void drainStarted() {
        if (current == null && !holding) {
            closing = true;
            Closing.afterWrites(ctx);
        }
    }

    /**
     * Whether the drain is closing this connection: a request read meanwhile is dropped unanswered,
     * never forwarded, as if the close had come first (the client may retry it elsewhere; a request
     * forwarded and then cut would leave it unsure whether the backend acted on it).
     */
    public boolean closing() {
        return closing;
    }

    /**
     * A request is held before its exchange starts (its user's pin is being fetched): the
     * connection is not idle, and a drain lets it start, then closes after its answer.
     */
    public void holding(boolean holding) {
        if (this.holding != holding) {
            this.holding = holding;
            proxy.listener().held(holding); // counted in flight meanwhile: a drain waits for it
        }
    }

    /** The framing left the connection (a hand-over, an upgrade): no timer may fire for it. */
    public void stopTimer() {
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
    }
}
