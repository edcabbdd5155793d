package io.homeport.loadtest;

import java.util.function.Supplier;

/**
 * The open model: submits requests at their scheduled times, however long earlier ones take, as
 * independent users would. When it wakes late (a pause, a busy machine) it submits every request
 * that is due at once, each with its own intended start, so that no lateness goes unmeasured.
 */
final class OpenLoopDriver {

    private final ArrivalSchedule schedule;
    private final Supplier<Client> clients;
    private final RequestDispatcher dispatcher;
    private final Ticker ticker;
    private final Pacer pacer;
    private volatile boolean stopped;

    OpenLoopDriver(ArrivalSchedule schedule, Supplier<Client> clients, RequestDispatcher dispatcher, Ticker ticker, Pacer pacer) {
        this.schedule = schedule;
        this.clients = clients;
        this.dispatcher = dispatcher;
        this.ticker = ticker;
        this.pacer = pacer;
    }

    /** Runs the whole schedule (bounded by its count) unless stopped; returns how many requests it submitted. */
    long run() throws InterruptedException {
        long index = 0;
        while (index < schedule.count() && !stopped) {
            long intended = schedule.intendedStart(index);
            if (intended > ticker.read()) {
                pacer.waitUntil(intended);
                continue;
            }
            dispatcher.submit(new PlannedRequest(intended, clients.get()));
            index++;
        }
        return index;
    }

    void stop() {
        stopped = true;
    }
}
