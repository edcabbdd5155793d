package io.homeport.loadtest;

import java.util.concurrent.locks.LockSupport;

/** Waits until a point in {@link Ticker} time; tests substitute one that advances a fake clock. */
@FunctionalInterface
interface Pacer {

    /**
     * Parks instead of spinning: on a small machine a spinning scheduler would steal a core from the
     * gateway it measures. Waking late is harmless to the figures: latency is measured from the
     * intended start, so any lateness is counted, not hidden.
     */
    Pacer SYSTEM = deadline -> {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(remaining);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    };

    void waitUntil(long deadlineNanos) throws InterruptedException;
}
