package io.homeport.proxy;

import io.homeport.rules.Endpoint;
import java.net.InetAddress;

/**
 * What is known about a request once it is answered: for the access log and metrics.
 *
 * @param status the status sent to the client; 499 when the client left before its answer
 * @param region the region that served it, or the home region when none did
 * @param upstream the endpoint used, or null when the gateway answered itself
 * @param audit the rules and database that decided it
 * @param clientIp where {@code clientAddress} came from
 */
public record CompletedExchange(
        String requestId,
        long startEpochMillis,
        long durationNanos,
        InetAddress clientAddress,
        String method,
        String host,
        String path,
        String userId,
        int status,
        String region,
        String route,
        String reason,
        String country,
        Endpoint upstream,
        String error,
        Audit audit,
        ClientIp clientIp) {

    /**
     * What decided the request, for the audit fields of its access-log line.
     *
     * @param rulesVersion the first 12 hex digits of the rules file's SHA-256
     * @param geoipBuild the GeoIP database's build time, in seconds since the epoch
     */
    public record Audit(String rulesVersion, long geoipBuild) {
        public static final Audit NONE = new Audit(null, 0);
    }

    public CompletedExchange(String requestId, long startEpochMillis, long durationNanos, InetAddress clientAddress,
            String method, String host, String path, String userId, int status, String region, String route, String reason,
            String country, Endpoint upstream, String error) {
        this(requestId, startEpochMillis, durationNanos, clientAddress, method, host, path, userId, status, region, route,
                reason, country, upstream, error, Audit.NONE, ClientIp.SOCKET);
    }

    public CompletedExchange(String requestId, long startEpochMillis, long durationNanos, InetAddress clientAddress,
            String method, String host, String path, String userId, int status, String region, String route, String reason,
            String country, Endpoint upstream, String error, Audit audit) {
        this(requestId, startEpochMillis, durationNanos, clientAddress, method, host, path, userId, status, region, route,
                reason, country, upstream, error, audit, ClientIp.SOCKET);
    }
}
