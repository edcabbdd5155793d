package io.homeport.proxy;

/** Told of every answered request, on the event loop: must be quick and must not throw. */
public interface ExchangeListener {

    /** A request head arrived and was decided; {@link #completed} follows exactly once. */
    default void started() {}

    /**
     * A request is held before its exchange starts ({@code true}: its pin is being fetched), or no
     * longer ({@code false}, called after its exchange started, if it did): a drain waits for it.
     */
    default void held(boolean held) {}

    void completed(CompletedExchange exchange);

    /**
     * A request was refused before it was decided (a malformed or hostile head, a head timeout): no
     * {@link #started} came before it. Its line has the refusal as its reason and no region.
     */
    default void refused(CompletedExchange exchange) {}

    ExchangeListener NONE = exchange -> {};
}
