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
 * @param drainTimeout how long a graceful shutdown waits for requests in flight and their answers to go out
 * @param maxRequestBodyBytes larger request bodies get 413: a declared Content-Length before
 *     anything is forwarded (and before a {@code 100 Continue}), a streamed body when it passes the limit
 * @param headersWithUnderscores what becomes of a request header whose name has an underscore
 * @param directPath plain bodiless HTTP/1.1 requests take the direct path (wire bytes copied, not
 *     decoded and encoded again); false sends every HTTP/1.x request through Netty's codec. The two
 *     behave the same (the integration suite runs with both); the direct path is faster.
 */
public record ProxySettings(
        int maxRequestLineBytes,
        int maxHeaderBytes,
        int maxHeaderCount,
        Duration requestHeaderTimeout,
        Duration clientIdleTimeout,
        Duration drainTimeout,
        long maxRequestBodyBytes,
        HeadersWithUnderscores headersWithUnderscores,
        boolean directPath) {

    /**
     * {@code proxy.headers_with_underscores}. A backend that maps {@code _} to {@code -} (several
     * frameworks do, CGI-style) would read {@code X_Forwarded_For} as {@code X-Forwarded-For} and
     * {@code Transfer_Encoding} as framing; the gateway's own header rules would not have seen them.
     */
    public enum HeadersWithUnderscores {
        /** Removed before forwarding, and counted: what nginx does by default. */
        DROP,
        /** 400 for the whole request: what Envoy advises at the edge. */
        REJECT,
        /** Forwarded as they are. */
        ALLOW;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * 1 GiB: bodies are streamed, so memory does not grow with the limit; it refuses the absurd (a
     * 2 GiB Content-Length behind {@code Expect: 100-continue}) without cutting a phone's video
     * upload short. An API that takes only small bodies lowers it.
     */
    public static final long DEFAULT_MAX_REQUEST_BODY_BYTES = 1024L * 1024 * 1024;

    public static final ProxySettings DEFAULTS = new ProxySettings(
            8 * 1024, 16 * 1024, 100, Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(20));

    public ProxySettings {
        java.util.Objects.requireNonNull(headersWithUnderscores, "headersWithUnderscores");
        if (maxRequestBodyBytes < 0) {
            throw new IllegalArgumentException("maxRequestBodyBytes: " + maxRequestBodyBytes + " (expected: >= 0)");
        }
    }

    public ProxySettings(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderCount, Duration requestHeaderTimeout,
            Duration clientIdleTimeout, Duration drainTimeout, long maxRequestBodyBytes,
            HeadersWithUnderscores headersWithUnderscores) {
        this(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, requestHeaderTimeout, clientIdleTimeout, drainTimeout,
                maxRequestBodyBytes, headersWithUnderscores, true);
    }

    /** These settings with the direct path on or off. */
    public ProxySettings withDirectPath(boolean on) {
        return new ProxySettings(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, requestHeaderTimeout, clientIdleTimeout,
                drainTimeout, maxRequestBodyBytes, headersWithUnderscores, on);
    }

    public ProxySettings(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderCount, Duration requestHeaderTimeout,
            Duration clientIdleTimeout, Duration drainTimeout) {
        this(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, requestHeaderTimeout, clientIdleTimeout, drainTimeout,
                DEFAULT_MAX_REQUEST_BODY_BYTES);
    }

    public ProxySettings(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderCount, Duration requestHeaderTimeout,
            Duration clientIdleTimeout, Duration drainTimeout, long maxRequestBodyBytes) {
        this(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, requestHeaderTimeout, clientIdleTimeout, drainTimeout,
                maxRequestBodyBytes, HeadersWithUnderscores.DROP);
    }
}
