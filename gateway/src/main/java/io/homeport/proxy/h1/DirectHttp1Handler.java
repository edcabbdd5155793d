package io.homeport.proxy.h1;

import io.homeport.netty.Closing;
import io.homeport.proxy.ClientConnection;
import io.homeport.proxy.ClientIp;
import io.homeport.proxy.ClientSide;
import io.homeport.proxy.ErrorResponses;
import io.homeport.proxy.Exchange;
import io.homeport.proxy.ForwardedHeaders;
import io.homeport.proxy.Drain;
import io.homeport.proxy.Forwarder;
import io.homeport.proxy.ProxyContext;
import io.homeport.proxy.ProxyHandler;
import io.homeport.proxy.ProxySettings;
import io.homeport.proxy.Refusal;
import io.homeport.proxy.RequestFacts;
import io.homeport.reload.ServingConfig;
import io.homeport.routing.IpAddresses;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.UserPins;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct HTTP/1.1 path: plain bodiless requests (see {@link RequestHead}) are read from the
 * wire bytes and forwarded with their header lines copied, not decoded and re-encoded, and the
 * answer comes back the same way ({@link DirectUpstream}). Routing, residency, fail-over, retries,
 * timeouts, metrics and the access log are those of the full path ({@link ProxyHandler}).
 *
 * <p>A head that arrives in pieces is waited for (within the head timeout and the size limits).
 * The first request this path does not take hands the connection to the full path for good: between two exchanges, this handler adds the
 * full pipeline behind itself (decoder, guards, proxy handler), passes it the unread bytes and
 * leaves. So whatever is unusual — a body, an upgrade, a malformed or hostile head — is judged by
 * the code that has always judged it.
 */
public final class DirectHttp1Handler extends ChannelInboundHandlerAdapter implements ClientSide {

    private static final Logger logger = LoggerFactory.getLogger(DirectHttp1Handler.class);

    /** Per event loop: heads are parsed from a copy, and the parsers' arrays are reused. */
    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>();

    /** Why a connection left the direct path ({@code homeport_direct_path_handovers_total{reason}}). */
    static final String HANDOVER_NOT_PLAIN = "not_plain";
    static final String HANDOVER_HEAD_TOO_LARGE = "head_too_large";
    /** Pipelined bytes held while an exchange is in flight; beyond this the client is not read. */
    private static final int MAX_PENDING_BYTES = 64 * 1024;
    /** Bytes copied for a head's first parse (request or answer): most heads are a few hundred bytes. */
    private static final int FIRST_HEAD_COPY = 2048;

    /**
     * Copies more of {@code from}'s readable bytes into {@code to}, after the {@code copied} already
     * there, for a head's next parse: {@link #FIRST_HEAD_COPY} first, then four times as many, never
     * more than {@code available}. Returns how many are copied now.
     */
    static int copyMoreOfHead(ByteBuf from, byte[] to, int copied, int available) {
        int more = Math.min(available, copied == 0 ? FIRST_HEAD_COPY : copied * 4);
        from.getBytes(from.readerIndex() + copied, to, copied, more - copied);
        return more;
    }

    private final ProxyContext proxy;
    private final ProxySettings settings;
    private final boolean tls;
    private final Consumer<ChannelPipeline> fullPath;

    private ChannelHandlerContext ctx;
    /** Bytes read and not yet parsed: pipelined requests. */
    private ByteBuf pending;
    private Forwarder forwarder;
    /** Who sent this connection's requests, learned at its first request: a PROXY header comes before any. */
    private Peer peer;
    private boolean anyRequest;
    /** Runs while a head is awaited: the first one from the connection's start, a later one from its first bytes. */
    private ScheduledFuture<?> headTimer;
    /** A head waits for its user's pin to reach the near-cache (pins in Redis): nothing else starts meanwhile. */
    private boolean pinPending;
    /** The next parse of the pending head decides at once: its pin was fetched (or failed to be). */
    private boolean pinFetched;
    /** The pending bytes are the start of a head that has not arrived whole (a split TCP segment, a TLS record). */
    private boolean awaitingHead;
    /** How many pending bytes were already looked through for a line feed since the last parse. */
    private int scannedForLineFeed;
    private boolean handedOver;
    /** The connection ends once its last answer is flushed: nothing more is read or forwarded. */
    private boolean closing;

    /**
     * @param fullPath adds the full HTTP/1.1 pipeline at the end of the given pipeline
     */
    public DirectHttp1Handler(ProxyContext proxy, ProxySettings settings, boolean tls, Consumer<ChannelPipeline> fullPath) {
        this.proxy = proxy;
        this.settings = settings;
        this.tls = tls;
        this.fullPath = fullPath;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.forwarder = new Forwarder(proxy, this, ctx);
        if (ctx.channel().isActive()) {
            // Added after a TLS handshake. A read from here goes to the socket only: one asked from
            // the tail after a hand-over would go through the full path's flow control and take a
            // message its proxy handler did not ask for.
            startHeadTimer();
            ctx.read();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startHeadTimer();
        ctx.read();
        // Not passed on: the full path, if it ever comes, gets its channelActive when it is added.
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closing || forwarder.closing()) {
            bytes.release(); // after an answer that ends the connection, as on the full path, or the drain's close
            return;
        }
        if (pending == null) {
            pending = bytes;
        } else {
            pending = appended(pending, bytes);
        }
        if (forwarder.current() == null && !pinPending && !(awaitingHead && noNewLine())) {
            nextRequest();
        }
    }

    /**
     * Whether the bytes that came since a head was found incomplete hold no line feed: then no line
     * of it can have ended, and parsing it again would only cost (a head sent a byte at a time must
     * not cost a parse a byte). At the size limit it is parsed, so that the full path answers 431.
     */
    private boolean noNewLine() {
        int from = pending.readerIndex() + scannedForLineFeed;
        boolean none = pending.indexOf(from, pending.writerIndex(), (byte) '\n') < 0;
        scannedForLineFeed = pending.readableBytes();
        return none && pending.readableBytes() < maxHeadBytes();
    }

    /** The most bytes a head this listener accepts can take (as {@link RequestHead#maxHeadBytes}). */
    private int maxHeadBytes() {
        return settings.maxRequestLineBytes() + settings.maxHeaderBytes() + 2;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Not passed on: no handler behind this one is reading yet. Reading on while an exchange is in
        // flight keeps the socket's read interest set (toggling it costs an epoll_ctl each way) and
        // notices a client that leaves; what a client pipelines waits in pending, up to a bound.
        if (!handedOver && !closing && (pending == null || pending.readableBytes() < MAX_PENDING_BYTES)) {
            ctx.read();
        }
    }

    /** Parses the next pending head and starts its exchange, or hands the connection over. */
    private void nextRequest() {
        if (pending == null || !pending.isReadable()) {
            releasePending();
            ctx.read();
            return;
        }
        ServingConfig config = proxy.config().current();
        RoutingRules rules = config.snapshot().rules();
        Scratch scratch = scratch();
        RequestHead head = scratch.head;
        head.limits(settings.maxRequestLineBytes(), settings.maxHeaderBytes(), settings.maxHeaderCount());
        head.underscores(settings.headersWithUnderscores());
        byte[] bytes = scratch.bytes(head.maxHeadBytes());
        byte[] identity = scratch.identity(rules);
        // Copied a little first and more only while the head goes on: a request read together with
        // its body is not copied whole to find its head.
        int available = Math.min(pending.readableBytes(), head.maxHeadBytes());
        int copied = copyMoreOfHead(pending, bytes, 0, available);
        RequestHead.Outcome outcome = head.parse(bytes, copied, identity);
        while (outcome == RequestHead.Outcome.INCOMPLETE && copied < available) {
            copied = copyMoreOfHead(pending, bytes, copied, available);
            outcome = head.parse(bytes, copied, identity);
        }
        if (outcome == RequestHead.Outcome.INCOMPLETE && copied < head.maxHeadBytes()) {
            // A plain head so far, in pieces: wait for the rest, within the head timeout and the size limits.
            awaitingHead = true;
            scannedForLineFeed = pending.readableBytes();
            startHeadTimer();
            return;
        }
        if (outcome != RequestHead.Outcome.COMPLETE) {
            handOver(outcome == RequestHead.Outcome.INCOMPLETE ? HANDOVER_HEAD_TOO_LARGE : HANDOVER_NOT_PLAIN);
            return;
        }
        awaitingHead = false;
        Exchange exchange = exchangeFor(config, rules, head);
        if (!pinFetched) {
            // Decided without waiting; only a decision that could not read the user's pin waits for it.
            java.util.concurrent.CompletionStage<?> fetching = proxy.pins().before(rules, exchange.facts().userId(),
                    exchange.decision());
            if (fetching != null) {
                // The head stays pending and is read again once the pin is in the near-cache (or failed).
                pinPending = true;
                forwarder.holding(true);
                fetching.whenComplete((ignored, error) -> ctx.executor().execute(() -> {
                    pinPending = false;
                    pinFetched = true;
                    if (forwarder.current() == null && !handedOver && !closing && ctx.channel().isActive()) {
                        nextRequest();
                    }
                    forwarder.holding(false); // after the exchange started: in flight all along
                }));
                return;
            }
        }
        pinFetched = false;
        if (head.underscoreFields > 0) {
            proxy.metrics().headersWithUnderscores("dropped", head.underscoreFields);
        }
        pending.skipBytes(head.length);
        if (!pending.isReadable()) {
            releasePending(); // the usual case: nothing pipelined behind this request
        }
        cancelHeadTimer();
        anyRequest = true;
        start(exchange, head, bytes);
    }

    /** The full path takes the connection from here: its pipeline is added, and it gets the unread bytes. */
    private void handOver(String reason) {
        proxy.metrics().directPathHandover(reason);
        handedOver = true;
        cancelHeadTimer();
        ChannelPipeline pipeline = ctx.pipeline();
        fullPath.accept(pipeline);
        ByteBuf unread = pending;
        pending = null;
        ctx.fireChannelActive();
        if (unread != null) {
            ctx.fireChannelRead(unread);
            ctx.fireChannelReadComplete();
        }
        pipeline.remove(this);
    }

    /** A connection's peer, and what each of its requests would otherwise work out again. */
    private record Peer(InetAddress address, ClientIp source, boolean trusted, String text) {}

    /** The request's exchange, decided: started at once, or dropped while its user's pin is fetched. */
    private Exchange exchangeFor(ServingConfig config, RoutingRules rules, RequestHead head) {
        Peer peer = this.peer;
        if (peer == null) {
            Channel channel = ctx.channel();
            InetAddress address = ClientConnection.peer(channel);
            this.peer = peer = new Peer(address, ClientConnection.peerSource(channel),
                    proxy.clientAddresses().isTrusted(address), IpAddresses.toText(address));
        }
        RequestFacts facts = new RequestFacts(
                peer.address(),
                peer.source(),
                head.forwardedFor,
                head.forwarded,
                rules.residency().users().isPresent() ? head.userId : null,
                head.hostWithoutPort,
                ProxyHandler.pathOf(head.uri),
                head.method,
                ForwardedHeaders.requestId(head.requestId),
                head.close,
                true); // the direct path takes bodiless requests only
        return new Exchange(config, forwarder, facts);
    }

    private void start(Exchange exchange, RequestHead head, byte[] bytes) {
        RequestFacts facts = exchange.facts();
        Peer peer = this.peer;
        ByteBuf upstreamHead = ctx.alloc().directBuffer(head.length + 256);
        head.writeUpstream(bytes, upstreamHead, peer.text(), peer.trusted(), tls, facts.requestId(), exchange.decision().country());
        exchange.request(new DirectRequest(upstreamHead));
        exchange.requestIsWhole();
        forwarder.start(exchange);
    }

    // --- timers ----------------------------------------------------------------------------------

    private void startHeadTimer() {
        if (headTimer == null && (!anyRequest || awaitingHead)) {
            long timeout = settings.requestHeaderTimeout().toNanos();
            headTimer = ctx.executor().schedule(this::onHeadTimeout, timeout, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelHeadTimer() {
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }

    /** As RequestHeadTimeoutHandler: a connection that sends no request head in time is cut off. */
    private void onHeadTimeout() {
        headTimer = null;
        if ((anyRequest && !awaitingHead) || forwarder.current() != null || pinPending || handedOver || !ctx.channel().isActive()) {
            return;
        }
        FullHttpResponse response = proxy.answer(ctx.channel(), Refusal.HEAD_TIMEOUT, HttpResponseStatus.REQUEST_TIMEOUT,
                "request head not received within " + settings.requestHeaderTimeout().toMillis() + " ms");
        closing = true;
        releasePending();
        ctx.writeAndFlush(encode(ctx, response)).addListener(ChannelFutureListener.CLOSE);
    }

    // --- ClientSide ------------------------------------------------------------------------------

    @Override
    public void writeAnswer(Exchange exchange, FullHttpResponse response) {
        ctx.writeAndFlush(encode(ctx, response));
    }

    @Override
    public void readRequestBody(Exchange exchange) {
        // Never asked: this path's requests are whole once their head is sent.
    }

    @Override
    public void exchangeEnded(Exchange exchange, boolean close) {
        Channel client = ctx.channel();
        if (close) {
            closing = true;
            releasePending();
            Closing.afterWrites(client);
        } else if (pending != null && pending.isReadable()) {
            // A pipelined request: started from the event loop, not from this call, which may be deep in another.
            client.eventLoop().execute(() -> {
                if (forwarder.current() == null && !pinPending && !handedOver && !closing && ctx.channel().isActive()) {
                    nextRequest();
                }
            });
        } else {
            releasePending();
            ctx.read(); // the next request on this keep-alive connection
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            forwarder.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelHeadTimer();
        releasePending();
        forwarder.clientClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelHeadTimer();
        forwarder.stopTimer();
        releasePending();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            forwarder.idle(); // while the response head is awaited, the response timer governs
            return;
        }
        if (event == Drain.Event.STARTED) {
            if (pending == null || !pending.isReadable()) {
                forwarder.drainStarted(); // part of a head already here: its answer will say close
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug("client connection {} failed", ctx.channel(), cause);
        ctx.close();
    }

    private void releasePending() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /**
     * Unread bytes with more behind them: a head in pieces, or pipelined requests. Appended in place
     * while the buffer has room and holds only unread bytes; else copied into one buffer of the unread
     * bytes with room to grow, so that a head arriving a few bytes at a time is not copied whole for
     * each piece, and what is held stays bounded by what is unread.
     */
    private ByteBuf appended(ByteBuf cumulation, ByteBuf more) {
        if (cumulation.readerIndex() == 0 && cumulation.refCnt() == 1 && !cumulation.isReadOnly()
                && cumulation.writableBytes() >= more.readableBytes()) {
            cumulation.writeBytes(more);
            more.release();
            return cumulation;
        }
        try {
            int unread = cumulation.readableBytes() + more.readableBytes();
            ByteBuf merged = ctx.alloc().buffer(Math.max(unread, Math.min(2 * unread, MAX_PENDING_BYTES)));
            merged.writeBytes(cumulation, cumulation.readerIndex(), cumulation.readableBytes());
            merged.writeBytes(more, more.readerIndex(), more.readableBytes());
            return merged;
        } finally {
            cumulation.release();
            more.release();
        }
    }

    /** A gateway answer as bytes: this path writes below the HTTP encoder. */
    static ByteBuf encode(ChannelHandlerContext ctx, FullHttpResponse response) {
        return ErrorResponses.toHttp1(ctx.alloc(), response);
    }

    static Scratch scratch() {
        Scratch scratch = SCRATCH.get();
        if (scratch == null) {
            scratch = new Scratch();
            SCRATCH.set(scratch);
        }
        return scratch;
    }

    /** What one event loop reuses for every head it parses. */
    static final class Scratch {
        private byte[] bytes = new byte[ResponseHead.MAX_HEAD_BYTES];
        final RequestHead head = new RequestHead(ProxySettings.DEFAULTS.maxRequestLineBytes(),
                ProxySettings.DEFAULTS.maxHeaderBytes(), ProxySettings.DEFAULTS.maxHeaderCount());
        final ResponseHead response = new ResponseHead();
        private String identityName;
        private byte[] identity;

        /** A copy area of at least {@code size} bytes; its content is valid until the next parse on this loop. */
        byte[] bytes(int size) {
            if (bytes.length < size) {
                bytes = new byte[size];
            }
            return bytes;
        }

        /** The identity header's lower-case name as bytes, for these rules; null when they pin no users. */
        byte[] identity(RoutingRules rules) {
            UserPins users = rules.residency().users().orElse(null);
            if (users == null) {
                return null;
            }
            if (!users.identityHeader().equals(identityName)) {
                identityName = users.identityHeader();
                identity = identityName.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
            }
            return identity;
        }
    }
}
