package io.homeport.server;

import io.homeport.proxy.CompletedExchange;
import io.homeport.proxy.ExchangeListener;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts requests in flight, so a graceful shutdown knows when it has drained; then tells the next listener. */
public final class InFlightRequests implements ExchangeListener {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final ExchangeListener next;

    public InFlightRequests(ExchangeListener next) {
        this.next = next;
    }

    @Override
    public void started() {
        inFlight.incrementAndGet();
        next.started();
    }

    @Override
    public void held(boolean held) {
        if (held) {
            inFlight.incrementAndGet();
        } else {
            inFlight.decrementAndGet();
        }
        next.held(held);
    }

    @Override
    public void completed(CompletedExchange exchange) {
        inFlight.decrementAndGet();
        next.completed(exchange);
    }

    @Override
    public void refused(CompletedExchange exchange) {
        next.refused(exchange); // never in flight: refused before it was started
    }

    public int count() {
        return inFlight.get();
    }

    /** Waits until no request is in flight or {@code timeout} passes; true when drained. */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }
}
