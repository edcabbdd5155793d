package io.homeport.upstream;

import java.time.Duration;
import java.util.Optional;

/**
 * How endpoint health is judged (gateway.yaml {@code health:}).
 *
 * @param checkPath the path active checks GET; empty: no active checks (passive ejection still runs)
 * @param interval time between two active checks of one endpoint
 * @param timeout how long one check may take
 * @param healthyThreshold consecutive passing checks that make an unhealthy endpoint healthy
 * @param unhealthyThreshold consecutive failing checks that make a healthy endpoint unhealthy
 * @param ejectAfterFailures consecutive request failures (connect errors, resets, timeouts) that eject an endpoint
 * @param ejectionTime how long an ejected endpoint receives no requests
 */
public record HealthSettings(
        Optional<String> checkPath,
        Duration interval,
        Duration timeout,
        int healthyThreshold,
        int unhealthyThreshold,
        int ejectAfterFailures,
        Duration ejectionTime) {

    public static final HealthSettings DEFAULTS = new HealthSettings(
            Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 2, 3, Duration.ofSeconds(10));
}
