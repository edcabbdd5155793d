package io.homeport.directory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The near-cache's entries in one array of longs, two a slot, side by side in one cache line: a
 * 64-bit fingerprint of the user id (the key), and a word holding two marks, 30 more bits of
 * fingerprint, the region's number and the tick the entry was read at. Written by hand because a
 * map of objects measured too slow and too heavy here
 * (benchmarks/BUDGET.md, "Pins in Redis"): a hit is one probe of adjacent slots instead of three
 * dependent reads, and a million entries are one array of primitives the collector never traverses,
 * instead of three million small objects that the young collections copied (RESULTS.md).
 *
 * <p>An entry is found by its 94-bit fingerprint (64 bits of key, 30 in the value), not by
 * comparing the id: two ids that share one are about one chance in 10^27 per lookup against a full
 * table, far below the machine's own error rates — and the identity header is the client's word in
 * any case.
 *
 * <p>Readers take no lock: a key is read, then its value, then the key again; if the key changed
 * meanwhile the read is a miss. Writers hold the table's lock. A slot is written value first, key
 * last, and a slot being reused is first marked deleted, so a reader never pairs one entry's key
 * with another's value. A miss is always safe: the caller fetches the pin again.
 *
 * <p>Entries live in a window of {@link #PROBES} slots from their key's home slot. An entry is in
 * use once found by a request after the one it was fetched for: a find marks it (one
 * compare-and-set, only while the mark is clear; the first find after a fetch, the held request's
 * own, counts for nothing: {@link #FOUND_ONCE}). When the window is full, of its entries not in
 * use the one read from the store longest ago gives way; only when every entry is in use are the
 * marks cleared and the one read longest ago goes. When the table holds {@code maxEntries}, the
 * window's oldest entry not in use goes, or, if it has none, the next such entry past a hand that
 * sweeps the whole table clearing the marks it passes (a CLOCK's second chance). Without the
 * marks, eviction was first-in, first-out by store read, and a storm of one-off users pushed out
 * the users in use first (benchmarks/RESULTS.md, the directory's paced cold runs).
 */
final class PinTable {

    /** The value {@link #find} returns when the table holds no entry for the fingerprint. */
    static final long MISS = -1;
    /** Slots per window: probed in order from the key's home slot. */
    static final int PROBES = 8;
    /** Ticks fit 24 bits of the value: at 100 ms a tick, ages up to about 19 days. */
    static final int TICK_BITS = 24;
    static final int TICK_MASK = (1 << TICK_BITS) - 1;
    /** The largest region number a value holds; 0 means "no pin". */
    static final int MAX_REGION = 255;
    /** A value's mark: its entry was found, by a request other than the one it was fetched for, since an eviction last passed over it. */
    static final long FOUND = 1L << 63;
    /**
     * A value's first mark: its entry was found once. A request held for its pin finds the entry its
     * fetch put; that find is not a sign of use, the next is ({@link #FOUND}).
     */
    static final long FOUND_ONCE = 1L << 62;
    private static final long MARKS = FOUND | FOUND_ONCE;
    /** The bits of the fingerprint's second part a value keeps: 30, beside the marks. */
    private static final int LOW_MASK = 0x3fff_ffff;

    private static final long EMPTY = 0;
    private static final long DELETED = 1;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    /** Slot i is {@code slots[2i]} (the key) and {@code slots[2i + 1]} (the value): one cache line for both. */
    private final long[] slots;
    private final int mask;
    private final int maxEntries;
    /** Where {@link #evictElsewhere} looks next; under the lock. */
    private int hand;
    /** Entries held; written under the lock. */
    private volatile int size;

    PinTable(int maxEntries) {
        if (maxEntries < 0 || maxEntries > 1 << 28) {
            throw new IllegalArgumentException("near-cache entries: 0 to " + (1 << 28) + ", not " + maxEntries);
        }
        // At most half full on average: windows stay short and mostly free.
        int count = Integer.highestOneBit(Math.max(16, maxEntries * 2 - 1)) << 1;
        this.slots = new long[count * 2];
        this.mask = count - 1;
        this.maxEntries = maxEntries;
    }

    /** The key for the 64-bit fingerprint {@code high}: never one of the two marks. */
    static long key(long high) {
        return high == EMPTY || high == DELETED ? high + 2 : high;
    }

    static long value(int low, int region, int tick) {
        return (long) (low & LOW_MASK) << 32 | (long) (region & 0xff) << TICK_BITS | tick & TICK_MASK;
    }

    static int region(long value) {
        return (int) (value >>> TICK_BITS) & 0xff;
    }

    static int tick(long value) {
        return (int) value & TICK_MASK;
    }

    /** The value of the entry with fingerprint ({@code key}, {@code low}), or {@link #MISS}; marks the entry found. */
    long find(long key, int low) {
        int slot = (int) (key ^ key >>> 32) & mask;
        for (int probe = 0; probe < PROBES; probe++, slot = slot + 1 & mask) {
            long found = (long) SLOT.getAcquire(slots, 2 * slot);
            if (found == EMPTY) {
                return MISS;
            }
            if (found == key) {
                long value = (long) SLOT.getAcquire(slots, 2 * slot + 1);
                if ((long) SLOT.getAcquire(slots, 2 * slot) != key || ((int) (value >>> 32) & LOW_MASK) != (low & LOW_MASK)) {
                    return MISS;
                }
                if ((value & FOUND) == 0) {
                    // Fails harmlessly if the slot changed meanwhile: a mark only ever spares an entry.
                    SLOT.compareAndSet(slots, 2 * slot + 1, value, value | ((value & FOUND_ONCE) == 0 ? FOUND_ONCE : FOUND));
                }
                return value & ~MARKS;
            }
        }
        return MISS;
    }

    /** Holds {@code value} for {@code key}; {@code now} (a tick) ages the others when one must give way. */
    synchronized void put(long key, long value, int now) {
        if (maxEntries == 0) {
            return; // a near-cache of no entries: every request reads the store
        }
        int home = (int) (key ^ key >>> 32) & mask;
        int free = -1;
        for (int probe = 0, slot = home; probe < PROBES; probe++, slot = slot + 1 & mask) {
            long found = slots[2 * slot];
            if (found == key) {
                // The same user read again (a refresh): its marks stay.
                SLOT.setRelease(slots, 2 * slot + 1, value | slots[2 * slot + 1] & MARKS);
                return;
            }
            if (found == EMPTY || found == DELETED) {
                if (free < 0) {
                    free = slot;
                }
                if (found == EMPTY) {
                    break; // nothing of this key further on: entries never lie past an empty slot
                }
            }
        }
        int target;
        if (free < 0) {
            target = giveWay(home, now); // a full window: one of its entries gives way to this one
            SLOT.setRelease(slots, 2 * target, DELETED); // a reader between here and the new key sees a miss
        } else {
            target = free;
            if (size < maxEntries) {
                size++;
            } else {
                int victim = oldestNotInUse(home, now);
                if (victim >= 0) {
                    SLOT.setRelease(slots, 2 * victim, DELETED); // a full table: the window's oldest unused entry gives way
                } else {
                    evictElsewhere(); // a full table, every entry here in use (or none): the next unused one past a sweeping hand
                }
            }
        }
        SLOT.setRelease(slots, 2 * target + 1, value);
        SLOT.setRelease(slots, 2 * target, key);
    }

    /**
     * Deletes the first entry after where the previous call stopped that was not found since the
     * hand last passed it (clearing the marks it passes): a clock hand over the whole table.
     */
    private void evictElsewhere() {
        for (int scanned = 0; scanned <= 2 * mask + 1; scanned++) { // a second sweep finds every mark cleared
            hand = hand + 1 & mask;
            long found = slots[2 * hand];
            if (found != EMPTY && found != DELETED && !spared(hand)) {
                SLOT.setRelease(slots, 2 * hand, DELETED);
                return;
            }
        }
        size++; // nothing to delete: the table was emptied meanwhile
    }

    /**
     * The slot of the window from {@code home} whose entry was read from the store longest before
     * {@code now} among those not in use (no {@link #FOUND} mark); -1 if the window has none.
     */
    private int oldestNotInUse(int home, int now) {
        int oldest = -1;
        int oldestAge = -1;
        for (int probe = 0, slot = home; probe < PROBES; probe++, slot = slot + 1 & mask) {
            long found = slots[2 * slot];
            long value = slots[2 * slot + 1];
            if (found != EMPTY && found != DELETED && (value & FOUND) == 0) {
                int age = now - tick(value) & TICK_MASK;
                if (age > oldestAge) {
                    oldestAge = age;
                    oldest = slot;
                }
            }
        }
        return oldest;
    }

    /**
     * The slot of a full window's entry to give way: the one not in use that was read longest ago;
     * when every entry of the window is in use, the marks are cleared and the one read longest ago goes.
     */
    private int giveWay(int home, int now) {
        int victim = oldestNotInUse(home, now);
        if (victim >= 0) {
            return victim;
        }
        for (int probe = 0, slot = home; probe < PROBES; probe++, slot = slot + 1 & mask) {
            unmark(slot);
        }
        return oldestNotInUse(home, now);
    }

    /**
     * Whether the entry in {@code slot} was found since an eviction's hand last passed it; clears
     * the mark. Under the lock.
     */
    private boolean spared(int slot) {
        if ((slots[2 * slot + 1] & FOUND) == 0) {
            return false;
        }
        unmark(slot);
        return true;
    }

    /** Clears the mark of the entry in {@code slot}, if any. Under the lock; a reader marking it again meanwhile is lost: the entry merely loses a second chance. */
    private void unmark(int slot) {
        long value = slots[2 * slot + 1];
        if ((value & FOUND) != 0) {
            SLOT.setRelease(slots, 2 * slot + 1, value & ~FOUND);
        }
    }

    /** Forgets the entry for {@code key}, if any. */
    synchronized void remove(long key) {
        int slot = (int) (key ^ key >>> 32) & mask;
        for (int probe = 0; probe < PROBES; probe++, slot = slot + 1 & mask) {
            long found = slots[2 * slot];
            if (found == EMPTY) {
                return;
            }
            if (found == key) {
                SLOT.setRelease(slots, 2 * slot, DELETED);
                size--;
                return;
            }
        }
    }

    /** Forgets every entry. */
    synchronized void clear() {
        for (int slot = 0; slot <= mask; slot++) {
            slots[2 * slot] = EMPTY; // readers re-check the key after the value: they see misses
        }
        size = 0;
        VarHandle.releaseFence();
    }

    int size() {
        return size;
    }

    /** Slots in the table: two longs each. */
    int slots() {
        return mask + 1;
    }
}
