package io.homeport.upstream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps retries at a share of requests, so that a dying region is not stampeded by retries of
 * retries. Every request deposits {@code 1}, a retry withdraws {@code 1 / ratio}; a small floor of
 * retries per second keeps a quiet gateway able to retry at all.
 */
public final class RetryBudget {

    private static final long SCALE = 1000;

    private final long retryCost;
    private final long cap;
    private final long floorPerSecond;
    private final AtomicLong balance = new AtomicLong();
    private final AtomicLong floorWindow = new AtomicLong();
    private final AtomicLong floorUsed = new AtomicLong();

    /**
     * @param ratio retries allowed per request, e.g. 0.2
     * @param floorPerSecond retries always allowed per second
     */
    public RetryBudget(double ratio, long floorPerSecond) {
        if (ratio <= 0 || ratio > 1) {
            throw new IllegalArgumentException("ratio: " + ratio + " (expected: 0 < ratio <= 1)");
        }
        this.retryCost = Math.round(SCALE / ratio);
        this.cap = retryCost * 100;
        this.floorPerSecond = floorPerSecond;
    }

    public void requestStarted() {
        long current;
        do {
            current = balance.get();
            if (current >= cap) {
                return;
            }
        } while (!balance.compareAndSet(current, current + SCALE));
    }

    /** Whether one retry may be made now; takes it from the budget if so. */
    public boolean tryRetry(long nowNanos) {
        long current;
        do {
            current = balance.get();
            if (current < retryCost) {
                return tryFloor(nowNanos);
            }
        } while (!balance.compareAndSet(current, current - retryCost));
        return true;
    }

    private boolean tryFloor(long nowNanos) {
        long second = nowNanos / 1_000_000_000L;
        long window = floorWindow.get();
        if (window != second && floorWindow.compareAndSet(window, second)) {
            floorUsed.set(0);
        }
        return floorUsed.incrementAndGet() <= floorPerSecond;
    }
}
