package io.homeport.upstream;

import io.homeport.rules.Endpoint;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the gateway knows of one endpoint's health: the active checks' verdict, passive ejection
 * after consecutive request failures, and the requests in flight (for least-loaded balancing).
 * Read on every request, so every field is a plain volatile or atomic: no locks.
 */
public final class EndpointHealth {

    private final Endpoint endpoint;
    private volatile boolean checkedHealthy = true;
    private volatile long ejectedUntilNanos;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private int checkStreak; // touched by the health checker's thread only

    EndpointHealth(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** Whether requests may go to this endpoint now. */
    public boolean isAvailable(long nowNanos) {
        return checkedHealthy && nowNanos - ejectedUntilNanos >= 0;
    }

    public boolean checkedHealthy() {
        return checkedHealthy;
    }

    public int inFlight() {
        return inFlight.get();
    }

    void requestStarted() {
        inFlight.incrementAndGet();
    }

    void requestEnded() {
        inFlight.decrementAndGet();
    }

    /** A request reached the endpoint and got an answer. */
    void recordSuccess() {
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    /** A request failed at the endpoint; enough in a row eject it for a while. */
    void recordFailure(HealthSettings settings, long nowNanos) {
        if (consecutiveFailures.incrementAndGet() >= settings.ejectAfterFailures()) {
            consecutiveFailures.set(0);
            ejectedUntilNanos = nowNanos + settings.ejectionTime().toNanos();
        }
    }

    /** One active check's result; flips the verdict after the configured streak. */
    boolean recordCheck(boolean passed, HealthSettings settings) {
        if (passed == checkedHealthy) {
            checkStreak = 0;
            return false;
        }
        checkStreak++;
        int needed = passed ? settings.healthyThreshold() : settings.unhealthyThreshold();
        if (checkStreak >= needed) {
            checkStreak = 0;
            checkedHealthy = passed;
            if (passed) {
                ejectedUntilNanos = 0; // a passing active check ends a passive ejection early
            }
            return true;
        }
        return false;
    }
}
