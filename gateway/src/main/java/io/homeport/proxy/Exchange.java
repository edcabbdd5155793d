package io.homeport.proxy;

import io.homeport.routing.Decision;
import io.homeport.rules.Endpoint;
import io.homeport.rules.RoutingRules;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One request in flight on a client connection, from its head to the last byte of its answer.
 * Touched only on the client connection's event loop (its upstream connection shares that loop).
 */
final class Exchange {

    final ChannelHandlerContext client;
    final HttpRequest upstreamRequest;
    final HttpVersion clientVersion;
    final boolean clientKeepAlive;
    final boolean hasBody;
    final String requestId;
    final InetAddress clientAddress;
    final String host;
    final String path;
    final String userId;
    final Decision decision;
    final long startNanos = System.nanoTime();
    final long startMillis = System.currentTimeMillis();

    /** The rules the request was decided with; retries and fail-over use the same ones. */
    RoutingRules rules;
    /** The audit stamp of the configuration that decided the request. */
    CompletedExchange.Audit audit = CompletedExchange.Audit.NONE;
    /** Where the client address came from. */
    ClientIp clientIp = ClientIp.SOCKET;
    /** The endpoint whose in-flight count this request holds, or null. */
    Endpoint loadCountedOn;
    /** The region serving the request: its home region, or one its rules let it fail over to. */
    String servingRegion;
    Endpoint endpoint;
    /** Endpoints that failed this request already; a retry avoids them. */
    final List<Endpoint> tried = new ArrayList<>(2);
    Channel upstream;
    boolean reusedConnection;
    boolean bodyBytesSent;
    /** Request body bytes read so far, against {@code proxy.max_request_body_bytes}. */
    long bodyBytes;
    boolean requestComplete;
    boolean responseStarted;
    boolean upstreamKeepAlive;
    boolean closeClientAfterResponse;
    boolean finished;
    int attempts;
    int status;
    long upstreamSentNanos;
    /** When the response head is due ({@link System#nanoTime()}), or 0 when no response timeout runs. */
    long responseDeadline;

    Exchange(
            ChannelHandlerContext client,
            HttpRequest upstreamRequest,
            HttpVersion clientVersion,
            boolean clientKeepAlive,
            boolean hasBody,
            String requestId,
            InetAddress clientAddress,
            String host,
            String path,
            String userId,
            Decision decision) {
        this.client = client;
        this.upstreamRequest = upstreamRequest;
        this.clientVersion = clientVersion;
        this.clientKeepAlive = clientKeepAlive;
        this.hasBody = hasBody;
        this.requestId = requestId;
        this.clientAddress = clientAddress;
        this.host = host;
        this.path = path;
        this.userId = userId;
        this.decision = decision;
    }

    void cancelResponseTimeout() {
        responseDeadline = 0;
    }

    CompletedExchange completed(int finalStatus, String error) {
        return new CompletedExchange(
                requestId,
                startMillis,
                System.nanoTime() - startNanos,
                clientAddress,
                upstreamRequest.method().name(),
                host,
                path,
                userId,
                finalStatus,
                servingRegion != null ? servingRegion : decision.region(),
                decision.route().name(),
                decision.reason().label(),
                decision.country(),
                endpoint == null ? null : endpoint.toString(),
                error,
                audit,
                clientIp);
    }
}
