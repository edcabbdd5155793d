package io.homeport.proxy;

import java.time.Duration;

/**
 * Limits of the client-facing side (gateway.yaml {@code proxy:}).
 *
 * @param maxRequestLineBytes longer request lines get 414
 * @param maxHeaderBytes larger header sections get 431
 * @param maxHeaderCount requests with more header fields get 431
 * @param requestHeaderTimeout a client that has not sent a whole request head by then is cut off
 * @param clientIdleTimeout an idle keep-alive connection is closed after this
 * @param drainTimeout how long a graceful shutdown waits for requests in flight
 */
public record ProxySettings(
        int maxRequestLineBytes,
        int maxHeaderBytes,
        int maxHeaderCount,
        Duration requestHeaderTimeout,
        Duration clientIdleTimeout,
        Duration drainTimeout) {

    public static final ProxySettings DEFAULTS = new ProxySettings(
            8 * 1024, 16 * 1024, 100, Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(20));
}
