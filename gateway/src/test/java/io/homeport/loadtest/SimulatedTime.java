package io.homeport.loadtest;

import java.util.PriorityQueue;

/**
 * A deterministic clock for scheduler tests: time moves only when the code under test waits, and
 * events (responses) scheduled for a time run when the clock reaches it. No thread, no sleep.
 */
final class SimulatedTime implements Ticker, Pacer {

    private record Event(long at, long order, Runnable action) {}

    private final PriorityQueue<Event> events =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private long now;
    private long order;
    private long lateByNanos;

    @Override
    public long read() {
        return now;
    }

    /** Runs what is due, then (like a parked thread waking late by {@code lateByNanos}) moves to the deadline. */
    @Override
    public void waitUntil(long deadlineNanos) {
        runUntil(deadlineNanos + lateByNanos);
    }

    void wakeLateBy(long nanos) {
        lateByNanos = nanos;
    }

    void at(long time, Runnable action) {
        events.add(new Event(time, order++, action));
    }

    void runUntil(long time) {
        while (!events.isEmpty() && events.peek().at() <= time) {
            Event event = events.poll();
            now = Math.max(now, event.at());
            event.action().run();
        }
        now = Math.max(now, time);
    }

    void runAll() {
        while (!events.isEmpty()) {
            runUntil(events.peek().at());
        }
    }
}
