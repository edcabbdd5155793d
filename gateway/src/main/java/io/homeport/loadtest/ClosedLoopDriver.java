package io.homeport.loadtest;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The closed model: a fixed number of users, each sending its next request as soon as its last one
 * ends, until the deadline. A request's intended start is when its user issued it, so time spent
 * waiting for a free connection is counted. Throughput here follows latency, which is why the open
 * model is the one to compare latencies with.
 */
final class ClosedLoopDriver implements Consumer<Completion> {

    private final int users;
    private final long deadlineNanos;
    private final Supplier<Client> clients;
    private final RequestDispatcher dispatcher;
    private final Ticker ticker;
    private volatile boolean stopped;

    ClosedLoopDriver(int users, long deadlineNanos, Supplier<Client> clients, RequestDispatcher dispatcher, Ticker ticker) {
        this.users = users;
        this.deadlineNanos = deadlineNanos;
        this.clients = clients;
        this.dispatcher = dispatcher;
        this.ticker = ticker;
        dispatcher.onCompletion(this);
    }

    /** Every user sends its first request. */
    void start() {
        for (int user = 0; user < users; user++) {
            dispatcher.submit(new PlannedRequest(ticker.read(), clients.get()));
        }
    }

    /** A user's request ended: it sends the next, until the deadline. */
    @Override
    public void accept(Completion completion) {
        long now = ticker.read();
        if (!stopped && now < deadlineNanos) {
            dispatcher.submit(new PlannedRequest(now, clients.get()));
        }
    }

    void stop() {
        stopped = true;
    }
}
