package io.homeport.upstream;

import java.time.Duration;

/**
 * Upstream timeouts.
 *
 * @param connect how long a new connection may take
 * @param responseHeaders how long from the request's head being sent to the response's head (504 after)
 * @param idle how long a pooled keep-alive connection may sit unused; keep it below the backends'
 *     own keep-alive timeout so the gateway, not the backend, closes idle connections
 */
public record UpstreamTimeouts(Duration connect, Duration responseHeaders, Duration idle) {

    public static final UpstreamTimeouts DEFAULTS =
            new UpstreamTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(30));
}
