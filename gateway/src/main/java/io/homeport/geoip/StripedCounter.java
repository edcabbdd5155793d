package io.homeport.geoip;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A count that the event loops add to on their hot path without a locked instruction: each
 * thread adds to a stripe of its own, chosen by its id, with a plain read and an opaque write.
 * {@link java.util.concurrent.atomic.LongAdder}'s increment is a compare-and-set, which on x86 is a
 * full barrier: in the GeoIP cache it came right after the table read, which misses the CPU's
 * caches over a busy hot set, and held every later load of the decision until that read returned
 * (benchmarks/BUDGET.md).
 *
 * <p>Exact when the threads that count at the same time have different ids modulo {@link
 * #STRIPES}, as a gateway's few event loops, made one after another, do; two threads that share
 * a stripe and add at the same instant can lose a count, never invent one. {@link #sum} may miss the
 * counts of the last instant, like {@code LongAdder.sum}.
 */
final class StripedCounter {

    static final int STRIPES = 64;
    /** Sixteen longs apart: two counting threads never write one CPU cache line, nor an adjacent pair. */
    private static final int SPACING = 16;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] stripes = new long[STRIPES * SPACING];

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19
    void increment() {
        int stripe = ((int) Thread.currentThread().getId() & (STRIPES - 1)) * SPACING;
        LONGS.setOpaque(stripes, stripe, (long) LONGS.getOpaque(stripes, stripe) + 1);
    }

    long sum() {
        long sum = 0;
        for (int stripe = 0; stripe < stripes.length; stripe += SPACING) {
            sum += (long) LONGS.getOpaque(stripes, stripe);
        }
        return sum;
    }
}
