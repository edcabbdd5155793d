package io.homeport.proxy;

import io.homeport.reload.ServingConfig;
import io.homeport.routing.Decision;
import io.homeport.routing.IpAddresses;
import io.homeport.routing.RoutingRequest;
import io.homeport.rules.Endpoint;
import io.homeport.rules.RoutingRules;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One request in flight on a client connection, from its head to the last byte of its answer,
 * whichever framing carries it. Created by deciding the request's {@link RequestFacts}: this
 * constructor is the one place a request is decided. Touched only on the client connection's
 * event loop (its upstream connection shares that loop).
 */
public final class Exchange {

    /** Per event loop: where a client address's 128 bits are parsed to. */
    private static final FastThreadLocal<long[]> BITS = new FastThreadLocal<>() {
        @Override
        protected long[] initialValue() {
            return new long[2];
        }
    };

    final RequestFacts facts;
    final ChannelHandlerContext client;
    final Forwarder forwarder;
    /** The rules the request was decided with; retries and fail-over use the same ones. */
    final RoutingRules rules;
    final CompletedExchange.Audit audit;
    final InetAddress clientAddress;
    final ClientIp clientIp;
    final Decision decision;
    final long startNanos = System.nanoTime();
    final long startMillis = System.currentTimeMillis();

    /** How the framing sends it; set before it is forwarded. */
    UpstreamRequest request;
    /** The region serving the request: its home region, or one its rules let it fail over to. */
    String servingRegion;
    Endpoint endpoint;
    /** The endpoint whose in-flight count this request holds, or null. */
    Endpoint loadCountedOn;
    /** Endpoints that failed this request already; a retry avoids them. Made on the first failure. */
    List<Endpoint> tried = List.of();
    Channel upstream;
    boolean reusedConnection;
    /** The whole request has gone upstream (a bodiless one: at once). */
    boolean requestComplete;
    boolean bodyBytesSent;
    /** Request body bytes read so far, against {@code proxy.max_request_body_bytes}. */
    long bodyBytes;
    boolean responseStarted;
    boolean finished;
    int attempts;
    int status;
    long upstreamSentNanos;
    /** When the response head is due ({@link System#nanoTime()}), or 0 when no response timeout runs. */
    long responseDeadline;

    /**
     * Decides the request: its client address (through the peer's trusted forwarding headers), then
     * its home region under {@code config}; both are counted.
     */
    public Exchange(ServingConfig config, Forwarder forwarder, RequestFacts facts) {
        this.facts = facts;
        this.forwarder = forwarder;
        this.client = forwarder.clientContext();
        this.rules = config.snapshot().rules();
        this.audit = config.audit();
        ProxyContext proxy = forwarder.proxy();
        InetAddress peer = facts.peer();
        // Plain IPv4 takes the quickest path, plain IPv6 (and mixes) the next; both allocate nothing
        // to decide a cached address. Anything else (Forwarded, ports) the general one. Same answer.
        long ipv4 = peer instanceof Inet4Address v4
                ? proxy.clientAddresses().resolveIpv4(IpAddresses.bitsOf(v4), facts.forwardedFor(), facts.forwarded())
                : -1;
        long[] bits = ipv4 >= 0 ? null : BITS.get();
        int hop = bits == null ? ClientAddressResolver.GENERAL
                : proxy.clientAddresses().resolveBits(peer, facts.forwardedFor(), facts.forwarded(), bits);
        if (ipv4 >= 0) {
            clientAddress = IpAddresses.ipv4((int) ipv4);
            clientIp = ClientAddressResolver.sourceOfIpv4(ipv4, facts.peerSource());
            decision = config.snapshot().decideIpv4((int) ipv4, facts.userId(), facts.host(), facts.path());
        } else if (hop != ClientAddressResolver.GENERAL) {
            clientAddress = IpAddresses.ipv6(bits[0], bits[1]);
            clientIp = hop == ClientAddressResolver.PEER ? facts.peerSource() : ClientIp.xForwardedFor(hop);
            decision = IpAddresses.isIpv4Mapped(bits[0], bits[1])
                    ? config.snapshot().decideIpv4((int) bits[1], facts.userId(), facts.host(), facts.path())
                    : config.snapshot().decideIpv6(bits[0], bits[1], facts.userId(), facts.host(), facts.path());
        } else {
            ClientAddressResolver.Resolved resolved = proxy.clientAddresses().resolve(peer, facts.peerSource(),
                    facts.forwardedFor(), facts.forwarded());
            clientAddress = resolved.address();
            clientIp = resolved.source();
            decision = config.snapshot().decide(new RoutingRequest(clientAddress, facts.userId(), facts.host(), facts.path()));
        }
        proxy.metrics().decision(decision.reason());
        proxy.metrics().clientIpSource(clientIp.source());
    }

    public RequestFacts facts() {
        return facts;
    }

    public Decision decision() {
        return decision;
    }

    public String requestId() {
        return facts.requestId();
    }

    /** The client connection's context, where the framing writes the answer. */
    public ChannelHandlerContext client() {
        return client;
    }

    /** The core forwarding this exchange: the relays report the answer's progress to it. */
    public Forwarder forwarder() {
        return forwarder;
    }

    /** The region the request is being served from, once one is chosen. */
    public String servingRegion() {
        return servingRegion;
    }

    /** The endpoint the request went to, once one is chosen. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** Whether the exchange has ended (answered, failed or abandoned). */
    public boolean finished() {
        return finished;
    }

    public boolean responseStarted() {
        return responseStarted;
    }

    /** The whole request has gone upstream. */
    public boolean requestComplete() {
        return requestComplete;
    }

    /** The status the client is being answered with (set when the response head is relayed). */
    public int status() {
        return status;
    }

    public void status(int status) {
        this.status = status;
    }

    public void request(UpstreamRequest request) {
        this.request = request;
    }

    /** The request has no body to stream: it is whole once its head is sent (the direct path's requests). */
    public void requestIsWhole() {
        this.requestComplete = true;
    }

    /** Whether the connection must end with this answer: the client asked, or its body was not read whole. */
    boolean closesClient() {
        return facts.closes() || (!requestComplete && !facts.replayable());
    }

    void tried(Endpoint failed) {
        if (tried.isEmpty()) {
            tried = new ArrayList<>(2);
        }
        tried.add(failed);
    }

    CompletedExchange completed(int finalStatus, String error) {
        return new CompletedExchange(
                facts.requestId(),
                startMillis,
                System.nanoTime() - startNanos,
                clientAddress,
                facts.method(),
                facts.host(),
                facts.path(),
                facts.userId(),
                finalStatus,
                servingRegion != null ? servingRegion : decision.region(),
                decision.route().name(),
                decision.reason().label(),
                decision.country(),
                endpoint,
                error,
                audit,
                clientIp);
    }
}
