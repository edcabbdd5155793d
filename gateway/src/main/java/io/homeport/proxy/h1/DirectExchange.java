package io.homeport.proxy.h1;

import io.homeport.proxy.ClientIp;
import io.homeport.proxy.CompletedExchange;
import io.homeport.routing.Decision;
import io.homeport.rules.Endpoint;
import io.homeport.rules.RoutingRules;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** One request on the direct path, from its head to the last byte of its answer. Event loop only. */
final class DirectExchange {

    final String method;
    final String host;
    final String path;
    final String userId;
    final String requestId;
    final InetAddress clientAddress;
    final Decision decision;
    /** The rules the request was decided with; retries and fail-over use the same ones. */
    final RoutingRules rules;
    /** The audit stamp of the configuration that decided the request. */
    CompletedExchange.Audit audit = CompletedExchange.Audit.NONE;
    /** Where the client address came from. */
    ClientIp clientIp = ClientIp.SOCKET;
    /** The client asked for the connection to end after this answer. */
    final boolean clientCloses;
    /** The upstream request head without its last field (the serving region) and final CRLF. */
    final ByteBuf upstreamHead;
    final long startNanos = System.nanoTime();
    final long startMillis = System.currentTimeMillis();

    String servingRegion;
    Endpoint endpoint;
    /** The endpoint whose in-flight count this request holds, or null. */
    Endpoint loadCountedOn;
    final List<Endpoint> tried = new ArrayList<>(2);
    Channel upstream;
    boolean reusedConnection;
    boolean responseStarted;
    boolean finished;
    int attempts;
    int status;
    long upstreamSentNanos;
    /** When the response head is due ({@link System#nanoTime()}), or 0 when none is awaited. */
    long responseDeadline;

    DirectExchange(String method, String host, String path, String userId, String requestId, InetAddress clientAddress,
            Decision decision, RoutingRules rules, boolean clientCloses, ByteBuf upstreamHead) {
        this.method = method;
        this.host = host;
        this.path = path;
        this.userId = userId;
        this.requestId = requestId;
        this.clientAddress = clientAddress;
        this.decision = decision;
        this.rules = rules;
        this.clientCloses = clientCloses;
        this.upstreamHead = upstreamHead;
    }

    boolean bodiless() {
        return method == RequestHead.HEAD;
    }

    String region() {
        return servingRegion != null ? servingRegion : decision.region();
    }

    CompletedExchange completed(int finalStatus, String error) {
        return new CompletedExchange(requestId, startMillis, System.nanoTime() - startNanos, clientAddress, method, host,
                path, userId, finalStatus, region(), decision.route().name(), decision.reason().label(),
                decision.country(), endpoint == null ? null : endpoint.toString(), error, audit, clientIp);
    }
}
