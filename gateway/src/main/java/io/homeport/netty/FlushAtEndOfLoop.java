package io.homeport.netty;

import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;

/**
 * Flushes channels once the event loop has handled every ready event of its current turn, rather
 * than at each write. A turn often carries requests of many client connections: their upstream
 * writes then go out together, and a backend that shares the core is woken once for the lot
 * instead of once per request (each wake-up a context switch for it and for the gateway). The
 * same holds for answers to clients. The delay is the rest of the turn, a few microseconds.
 *
 * <p>Event loop only: each loop has its own list, run by a task the loop executes after its I/O.
 */
public final class FlushAtEndOfLoop implements Runnable {

    private static final FastThreadLocal<FlushAtEndOfLoop> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected FlushAtEndOfLoop initialValue() {
            return new FlushAtEndOfLoop();
        }
    };

    private final List<Channel> pending = new ArrayList<>();
    private boolean scheduled;

    private FlushAtEndOfLoop() {}

    /** Flushes {@code channel} at the end of this turn of its event loop (the calling thread). */
    public static void flush(Channel channel) {
        FlushAtEndOfLoop loop = PER_LOOP.get();
        loop.pending.add(channel);
        if (!loop.scheduled) {
            loop.scheduled = true;
            channel.eventLoop().execute(loop);
        }
    }

    @Override
    public void run() {
        // By index: a flush can complete an exchange whose next write adds to the list.
        for (int i = 0; i < pending.size(); i++) {
            pending.get(i).flush();
        }
        pending.clear();
        scheduled = false;
    }
}
