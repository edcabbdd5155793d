package io.homeport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.ArrayList;
import java.util.List;

/**
 * For EmbeddedChannel tests: the head of a pipeline whose socket cannot take more, so writes stay
 * pending (their promises open) until {@link #release()} lets them through.
 */
public final class HeldWrites extends ChannelOutboundHandlerAdapter {

    private record Held(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {}

    private final List<Held> held = new ArrayList<>();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        held.add(new Held(ctx, msg, promise));
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        // nothing goes out while held
    }

    public int pending() {
        return held.size();
    }

    /** Passes every held write on, flushed, in order. */
    public void release() {
        List<Held> now = List.copyOf(held);
        held.clear();
        for (Held write : now) {
            write.ctx().write(write.msg(), write.promise());
        }
        if (!now.isEmpty()) {
            now.get(0).ctx().flush();
        }
    }
}
