package io.homeport.proxy.h1;

import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;

/**
 * Flushes channels once the event loop has handled every ready event of its current turn, rather
 * than at each write. A turn often carries requests of many client connections: their upstream
 * writes then go out together, and a backend that shares the core is woken once for the lot
 * instead of once per request (each wake-up a context switch for it and for the gateway). The
 * same holds for answers to clients. The delay is the rest of the turn, a few microseconds. It
 * pays only where the woken side shares the gateway's CPU, so it is on by default only in a
 * process with one CPU ({@link #batches}); elsewhere {@link #flush} flushes at once.
 *
 * <p>Event loop only: each loop has its own list, run by a task the loop executes after its I/O.
 */
final class FlushAtEndOfLoop implements Runnable {

    private static final FastThreadLocal<FlushAtEndOfLoop> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected FlushAtEndOfLoop initialValue() {
            return new FlushAtEndOfLoop();
        }
    };

    private static final boolean ENABLED =
            batches(System.getProperty("homeport.flushAtEndOfLoop"), Runtime.getRuntime().availableProcessors());

    private final List<Channel> pending = new ArrayList<>();
    private boolean scheduled;

    private FlushAtEndOfLoop() {}

    /**
     * Whether flushes wait for the end of the turn: by default only when the process has one CPU.
     * There, whatever the gateway wakes (a backend beside it, a load generator) shares that CPU,
     * and one wake-up per turn instead of one per request saves context switches. With more CPUs
     * the woken side runs in parallel, and holding its bytes for the rest of the turn leaves it
     * idle instead (peers benchmark, 2026-12-02: two workers spread over two CPUs served 0.96×
     * nginx's requests with the wait and 1.07–1.12× without). {@code -Dhomeport.flushAtEndOfLoop=
     * true|false} overrides the default.
     */
    static boolean batches(String property, int availableProcessors) {
        if ("true".equals(property)) {
            return true;
        }
        if ("false".equals(property)) {
            return false;
        }
        return availableProcessors == 1;
    }

    /** Flushes {@code channel} at the end of this turn of its event loop (the calling thread). */
    static void flush(Channel channel) {
        if (!ENABLED) {
            channel.flush();
            return;
        }
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
