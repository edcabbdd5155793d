package io.homeport.server;

import io.homeport.proxy.CompletedExchange;
import io.homeport.proxy.ExchangeListener;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one full collection once the gateway has answered its first requests, then tells the next
 * listener as usual.
 *
 * <p>Why: the first requests resolve the request path's constants (string literals, lambdas, call
 * sites, per-loop state), and the JIT then compiles code that refers to them. While they are young,
 * every young collection must scan each such compiled method (HotSpot's "scavengable" nmethods: 500
 * to 840 of them here), which made the young pauses 3-8 ms instead of about 1 ms for the first
 * minute and a half of traffic, until those objects were promoted by age. One full collection
 * soon after the first requests promotes them at once: one pause of tens of milliseconds, when a new
 * instance has just started taking traffic, instead of a hundred pauses of several milliseconds
 * (benchmarks/RESULTS.md has the measurements). Loading the classes and collecting before serving
 * does not do it: what compiled code refers to is made by the requests themselves.
 *
 * <p>A full collection's pause grows with what is live: 35-50 ms for this gateway's usual 27 MB, but
 * seconds for a heap that holds, say, a file of a hundred million user pins. Past {@link
 * #MAX_LIVE_BYTES} in use after the last collection it is skipped, and the log says so.
 */
public final class StartupSettling implements ExchangeListener {

    private static final Logger LOG = LoggerFactory.getLogger(StartupSettling.class);

    /**
     * Enough for the request path to have run in its common forms and been compiled: measured, a
     * collection after the first 2,000 answers left the pauses at 1.0-1.5 ms, after the first 100,000
     * they fell to the 0.7-1.0 ms of a settled gateway at once. A few seconds of a busy gateway; a
     * quiet one, whose young collections are rare, takes longer and loses nothing meanwhile.
     */
    static final int REQUESTS_BEFORE_SETTLING = 100_000;

    /** Above this much heap in use after the last collection, one full collection would pause too long. */
    static final long MAX_LIVE_BYTES = 128L << 20;

    private static final AtomicIntegerFieldUpdater<StartupSettling> REMAINING =
            AtomicIntegerFieldUpdater.newUpdater(StartupSettling.class, "remaining");

    private final ExchangeListener next;
    private final Runnable collection;
    /** Answers still to come before the collection; at most 0 once it has been started (then only a read per request). */
    private volatile int remaining;

    public StartupSettling(ExchangeListener next) {
        this(next, REQUESTS_BEFORE_SETTLING, StartupSettling::collect);
    }

    StartupSettling(ExchangeListener next, int requests, Runnable collection) {
        this.next = next;
        this.collection = collection;
        this.remaining = requests;
    }

    @Override
    public void started() {
        next.started();
    }

    @Override
    public void completed(CompletedExchange exchange) {
        next.completed(exchange);
        if (remaining > 0 && REMAINING.decrementAndGet(this) == 0) {
            // Never on the event loop: the loop goes on answering until the collection stops the world.
            Thread thread = new Thread(collection, "homeport-startup-settling");
            thread.setDaemon(true);
            thread.start();
        }
    }

    @Override
    public void refused(CompletedExchange exchange) {
        next.refused(exchange);
    }

    /** True once the collection has been started. */
    boolean settled() {
        return remaining <= 0;
    }

    /** Whether a full collection is short enough to run, given the heap in use after the last one. */
    static boolean worthCollecting(long liveBytes) {
        return liveBytes >= 0 && liveBytes <= MAX_LIVE_BYTES;
    }

    /** The heap in use after the last collection (each heap pool's), or -1 when the JVM does not tell. */
    static long liveBytesAfterLastCollection() {
        long live = 0;
        boolean told = false;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage usage = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
            if (usage != null) {
                live += usage.getUsed();
                told = true;
            }
        }
        return told ? live : -1;
    }

    private static void collect() {
        long live = liveBytesAfterLastCollection();
        if (live < 0) {
            LOG.info("start-up objects left to age: this JVM does not tell the heap in use after a collection");
            return;
        }
        if (!worthCollecting(live)) {
            LOG.info("start-up objects left to age: {} MiB of heap in use after the last collection would make one full "
                    + "collection pause too long (limit {} MiB)", live >> 20, MAX_LIVE_BYTES >> 20);
            return;
        }
        long start = System.nanoTime();
        System.gc();
        LOG.info("start-up objects promoted after the first {} answers: one full collection, {} ms",
                REQUESTS_BEFORE_SETTLING, (System.nanoTime() - start) / 1_000_000);
    }
}
