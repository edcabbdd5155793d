package io.homeport.proxy;

/** Told of every answered request, on the event loop: must be quick and must not throw. */
public interface ExchangeListener {

    /** A request head arrived and was decided; {@link #completed} follows exactly once. */
    default void started() {}

    void completed(CompletedExchange exchange);

    ExchangeListener NONE = exchange -> {};
}
