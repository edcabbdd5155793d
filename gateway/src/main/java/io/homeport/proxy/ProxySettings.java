package io.homeport.proxy;

import java.time.Duration;

/**
 * Limits of the client-facing HTTP/1.1 side.
 *
 * @param maxRequestLineBytes longer request lines get 414
 * @param maxHeaderBytes larger header sections get 431
 * @param clientIdleTimeout an idle keep-alive connection is closed after this
 * @param drainTimeout how long a graceful shutdown waits for requests in flight
 */
public record ProxySettings(int maxRequestLineBytes, int maxHeaderBytes, Duration clientIdleTimeout, Duration drainTimeout) {

    public static final ProxySettings DEFAULTS =
            new ProxySettings(8 * 1024, 16 * 1024, Duration.ofSeconds(60), Duration.ofSeconds(20));
}
