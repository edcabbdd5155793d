package io.homeport.proxy;

import java.net.InetAddress;

/**
 * What is known about a request once it is answered: for the access log and metrics.
 *
 * @param status the status sent to the client; 499 when the client left before its answer
 * @param region the region that served it, or the home region when none did
 * @param upstream the endpoint used, or null when the gateway answered itself
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
        String upstream,
        String error) {}
