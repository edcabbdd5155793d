package io.homeport.proxy;

import io.homeport.metrics.GatewayMetrics;
import io.homeport.reload.ServingConfig;
import io.homeport.routing.Decision;
import io.homeport.rules.Endpoint;
import io.homeport.rules.RoutingRules;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.FastThreadLocal;
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

    /** Per event loop: the decision's scratch. */
    private static final FastThreadLocal<ClientDecision.Client> CLIENT = new FastThreadLocal<>() {
        @Override
        protected ClientDecision.Client initialValue() {
            return new ClientDecision.Client();
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
    /** The migration covering the decision's country, if any: requests are counted by its side. */
    private final io.homeport.rules.Migration migration;
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
     * its home region under {@code config}; both are counted when the exchange starts ({@link
     * #countDecision}). Nothing else happens here: a framing may drop an exchange it has not started.
     */
    public Exchange(ServingConfig config, Forwarder forwarder, RequestFacts facts) {
        this.facts = facts;
        this.forwarder = forwarder;
        this.client = forwarder.clientContext();
        this.rules = config.snapshot().rules();
        this.audit = config.audit();
        ProxyContext proxy = forwarder.proxy();
        ClientDecision.Client client = CLIENT.get();
        decision = ClientDecision.decide(config.snapshot(), proxy.clientAddresses(), facts.peer(), facts.peerSource(),
                facts.forwardedFor(), facts.forwarded(), facts.userId(), facts.host(), facts.path(), client);
        clientAddress = client.address(facts.peer());
        clientIp = client.source(facts.peerSource());
        migration = config.snapshot().migrationOf(decision.country());
    }

    /**
     * Counts the decision, when the exchange starts: an exchange its framing drops instead (to
     * decide the request again once its user's pin is fetched) is not counted.
     */
    void countDecision(GatewayMetrics metrics) {
        metrics.decision(decision.reason());
        metrics.migrationRequest(decision, migration);
        metrics.clientIpSource(clientIp.source());
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

    /** Whether the connection must end with this answer: the client asked, the gateway drains, or its body was not read whole. */
    boolean closesClient() {
        return answerSaysClose() || (!requestComplete && !facts.replayable());
    }

    /** Whether the answer tells the client to close: it asked, or the gateway is draining (reconnect elsewhere). */
    public boolean answerSaysClose() {
        return facts.closes() || forwarder.proxy().drain().isDraining();
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
