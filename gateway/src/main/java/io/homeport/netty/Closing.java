package io.homeport.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundInvoker;

/**
 * Ends a connection without cutting what was written to it. Netty's {@code close()} drops writes
 * still queued, and io_uring's also cancels writes already flushed whose completions have not come
 * back: an answer flushed a moment earlier in the same turn of the loop would lose its tail. An
 * empty write completes only after every write before it, so the close waits for that.
 */
public final class Closing {

    private Closing() {}

    /** Closes the connection once everything written to {@code target} so far has gone out (or failed). */
    public static void afterWrites(ChannelOutboundInvoker target) {
        target.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}
