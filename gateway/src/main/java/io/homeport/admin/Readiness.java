package io.homeport.admin;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether the gateway should receive traffic, as {@code GET /readyz} reports it: not while
 * starting, yes once rules and GeoIP are loaded and the listeners bound, and never again once it
 * drains for shutdown.
 */
public final class Readiness {

    /** The life cycle, in order; it only moves forward. */
    public enum State { STARTING, READY, DRAINING }

    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);

    /** STARTING to READY; a draining gateway stays draining. */
    public void markReady() {
        state.compareAndSet(State.STARTING, State.READY);
    }

    /** From any state to DRAINING: load balancers stop sending before the listeners close. */
    public void markDraining() {
        state.set(State.DRAINING);
    }

    public boolean isReady() {
        return state.get() == State.READY;
    }

    public State state() {
        return state.get();
    }
}
