package io.homeport.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;

/**
 * A connection to a simulated gateway: the n-th request it carries takes {@code serviceNanos(n)},
 * then a 200 from region "us". It records when each request was actually sent.
 */
final class SimulatedConnection implements Connection {

    private final SimulatedTime time;
    private final RequestDispatcher dispatcher;
    private final IntToLongFunction serviceNanos;
    final List<Long> sentAt = new ArrayList<>();

    SimulatedConnection(SimulatedTime time, RequestDispatcher dispatcher, IntToLongFunction serviceNanos) {
        this.time = time;
        this.dispatcher = dispatcher;
        this.serviceNanos = serviceNanos;
    }

    @Override
    public void send(PlannedRequest request) {
        long service = serviceNanos.applyAsLong(sentAt.size());
        sentAt.add(time.read());
        time.at(time.read() + service, () -> dispatcher.finished(this, Completion.response(request, 200, "us", time.read())));
    }
}
