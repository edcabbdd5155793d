package io.homeport.loadtest;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One load test, fully described: where, which clients, how much load, for how long (after an
 * unrecorded warm-up at the same load), over which connections. Checked when built, so a run never
 * starts with a value it cannot honour.
 */
public record LoadTestConfig(TargetUrl target, Expectation expectation, Traffic traffic, LoadModel model, Duration warmup,
        Duration duration, ClientSettings client) {

    static final Duration MAX_DURATION = Duration.ofHours(24);

    public LoadTestConfig {
        if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("--duration " + duration + " (expected: more than 0, at most 24h)");
        }
        if (warmup.isNegative() || warmup.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--warmup " + warmup + " (expected: 0 to 1h)");
        }
    }

    /** What decides the expected region: the rules and the GeoIP database, the gateway's own if the figures are to agree. */
    public record Expectation(Path rules, Path geoip) {}

    /**
     * Who sends: the market mix, how many distinct clients per market (each with its own address),
     * whether they send user ids, and the seed that makes the clients the same from run to run.
     */
    public record Traffic(MarketMix mix, int clientsPerMarket, boolean userIds, long seed) {
        public static final int MAX_CLIENTS_PER_MARKET = 100_000;

        public Traffic {
            if (clientsPerMarket < 1 || clientsPerMarket > MAX_CLIENTS_PER_MARKET) {
                throw new IllegalArgumentException("--clients-per-market " + clientsPerMarket + " (expected: 1.."
                        + MAX_CLIENTS_PER_MARKET + ")");
            }
        }
    }

    /** The connection pool: its size, the I/O threads that run it, and the per-request timeout. */
    public record ClientSettings(int connections, int ioThreads, Duration timeout) {
        public static final int MAX_CONNECTIONS = 10_000;

        public ClientSettings {
            if (connections < 1 || connections > MAX_CONNECTIONS) {
                throw new IllegalArgumentException("--connections " + connections + " (expected: 1.." + MAX_CONNECTIONS + ")");
            }
            if (ioThreads < 1 || ioThreads > 64) {
                throw new IllegalArgumentException("--io-threads " + ioThreads + " (expected: 1..64)");
            }
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("--timeout " + timeout + " (expected: more than 0, at most 5m)");
            }
        }
    }
}
