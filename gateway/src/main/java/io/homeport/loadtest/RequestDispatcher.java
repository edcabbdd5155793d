package io.homeport.loadtest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Hands planned requests to ready connections, queueing them while every connection is busy.
 * Queued requests keep their intended start, so time spent in the queue behind a slow response is
 * part of their latency. A request that waited longer than the timeout is never sent: it ends as a
 * timeout, as it would for a client with a deadline. The queue is bounded: when it is full the
 * oldest request ends as a timeout at once (sized so that it has waited past the timeout anyway),
 * so a stalled target costs the load tester bounded memory.
 */
final class RequestDispatcher {

    private final Ticker ticker;
    private final long timeoutNanos;
    private final int maxQueued;
    private final List<Consumer<Completion>> listeners = new CopyOnWriteArrayList<>();
    private final ArrayDeque<PlannedRequest> queued = new ArrayDeque<>();
    private final ArrayDeque<Connection> ready = new ArrayDeque<>();
    private long submitted;
    private long completed;

    RequestDispatcher(Ticker ticker, long timeoutNanos, int maxQueued) {
        this.ticker = ticker;
        this.timeoutNanos = timeoutNanos;
        this.maxQueued = maxQueued;
    }

    /** A queue bound at which, for requests arriving at {@code perSecond}, the oldest has waited twice the timeout. */
    static int queueBound(double perSecond, long timeoutNanos) {
        return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(100_000, Math.ceil(2 * perSecond * timeoutNanos / 1e9)));
    }

    /** Called with every completion, on the thread that completed it; register before the run starts. */
    void onCompletion(Consumer<Completion> listener) {
        listeners.add(listener);
    }

    void submit(PlannedRequest request) {
        Connection connection;
        PlannedRequest overflow = null;
        synchronized (this) {
            submitted++;
            connection = ready.pollFirst();
            if (connection == null) {
                if (queued.size() >= maxQueued) {
                    overflow = queued.pollFirst();
                }
                queued.addLast(request);
            }
        }
        if (overflow != null) {
            completed(Completion.failure(overflow, Completion.Outcome.TIMEOUT, ticker.read()));
        }
        if (connection != null) {
            connection.send(request);
        }
    }

    /** {@code connection} can take a request: the next queued one, else it waits in the ready list. */
    void ready(Connection connection) {
        List<PlannedRequest> expired = null;
        PlannedRequest next;
        long now = ticker.read();
        synchronized (this) {
            while ((next = queued.pollFirst()) != null && now - next.intendedStartNanos() >= timeoutNanos) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(next);
            }
            if (next == null) {
                ready.addLast(connection);
            }
        }
        if (expired != null) {
            expired.forEach(request -> completed(Completion.failure(request, Completion.Outcome.TIMEOUT, now)));
        }
        if (next != null) {
            connection.send(next);
        }
    }

    /** {@code connection} finished a request and can take the next. */
    void finished(Connection connection, Completion completion) {
        completed(completion);
        ready(connection);
    }

    /** A request ended on a connection that is not ready for another (it is closing or reconnecting). */
    void completed(Completion completion) {
        for (Consumer<Completion> listener : listeners) {
            listener.accept(completion);
        }
        synchronized (this) {
            completed++; // after the listeners: once nothing is outstanding, every result is recorded
        }
    }

    /** {@code connection} went down: it is no longer ready until it says so again. */
    synchronized void lost(Connection connection) {
        ready.remove(connection);
    }

    /** Ends every queued request as a timeout: the run is over and they were never sent. */
    void expireQueued() {
        List<PlannedRequest> left;
        synchronized (this) {
            left = new ArrayList<>(queued);
            queued.clear();
        }
        long now = ticker.read();
        left.forEach(request -> completed(Completion.failure(request, Completion.Outcome.TIMEOUT, now)));
    }

    synchronized long outstanding() {
        return submitted - completed;
    }

    synchronized int queuedCount() {
        return queued.size();
    }

    synchronized long submittedCount() {
        return submitted;
    }
}
