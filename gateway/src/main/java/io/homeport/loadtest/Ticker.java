package io.homeport.loadtest;

/** A source of nanosecond time, injected so that the scheduler and dispatcher are tested without sleeping. */
@FunctionalInterface
interface Ticker {

    Ticker SYSTEM = System::nanoTime;

    long read();
}
