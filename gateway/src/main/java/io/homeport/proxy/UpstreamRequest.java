package io.homeport.proxy;

import io.homeport.upstream.UpstreamConnections;
import io.netty.channel.Channel;

/**
 * An exchange's request as its framing sends it upstream: Netty's message for the codec, wire bytes
 * for the direct path. The forwarding core picks the connection; this writes on it.
 */
public interface UpstreamRequest {

    /** The pool its connections come from: each framing's connections carry that framing's handlers. */
    UpstreamConnections.Framing framing();

    /**
     * Binds {@code upstream} to {@code exchange} (the framing's relay reads the answer) and writes
     * the request, with {@link Exchange#servingRegion()}; flushes and starts reading. Called again
     * for a retry on a fresh connection.
     */
    void send(Exchange exchange, Channel upstream);

    /** The exchange ended: frees what the request holds. */
    default void release() {}
}
