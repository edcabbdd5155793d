package io.homeport.directory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The near-cache's entries in one array of longs, two a slot, side by side in one cache line: a
 * 64-bit fingerprint of the user id (the key), and a word holding 32 more bits of fingerprint, the
 * region's number and the tick the entry was read at. Written by hand because a map of objects measured too slow and too heavy here
 * (benchmarks/BUDGET.md, "Pins in Redis"): a hit is one probe of adjacent slots instead of three
 * dependent reads, and a million entries are one array of primitives the collector never traverses,
 * instead of three million small objects that the young collections copied (RESULTS.md).
 *
 * <p>An entry is found by its 96-bit fingerprint, not by comparing the id: two ids that share one
 * are about one chance in 10^28 per lookup against a full table, far below the machine's own error
 * rates — and the identity header is the client's word in any case.
 *
 * <p>Readers take no lock: a key is read, then its value, then the key again; if the key changed
 * meanwhile the read is a miss. Writers hold the table's lock. A slot is written value first, key
 * last, and a slot being reused is first marked deleted, so a reader never pairs one entry's key
 * with another's value. A miss is always safe: the caller fetches the pin again.
 *
 * <p>Entries live in a window of {@link #PROBES} slots from their key's home slot. When the table
 * holds {@code maxEntries}, or the window is full, the entry read longest ago in the window gives
 * way: eviction follows reads from the store, and an entry in use is read again every ttl.
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
        return (long) low << 32 | (long) (region & 0xff) << TICK_BITS | tick & TICK_MASK;
    }

    static int region(long value) {
        return (int) (value >>> TICK_BITS) & 0xff;
    }

    static int tick(long value) {
        return (int) value & TICK_MASK;
    }

    /** The value of the entry with fingerprint ({@code key}, {@code low}), or {@link #MISS}. */
    long find(long key, int low) {
        int slot = (int) (key ^ key >>> 32) & mask;
        for (int probe = 0; probe < PROBES; probe++, slot = slot + 1 & mask) {
            long found = (long) SLOT.getAcquire(slots, 2 * slot);
            if (found == EMPTY) {
                return MISS;
            }
            if (found == key) {
                long value = (long) SLOT.getAcquire(slots, 2 * slot + 1);
                boolean same = (long) SLOT.getAcquire(slots, 2 * slot) == key && (int) (value >>> 32) == low;
                return same ? value : MISS;
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
                SLOT.setRelease(slots, 2 * slot + 1, value);
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
        int oldest = oldest(home, now);
        int target;
        if (free < 0) {
            target = oldest; // a full window: its oldest entry gives way to this one
            SLOT.setRelease(slots, 2 * target, DELETED); // a reader between here and the new key sees a miss
        } else {
            target = free;
            if (size < maxEntries) {
                size++;
            } else if (oldest >= 0) {
                SLOT.setRelease(slots, 2 * oldest, DELETED); // a full table: the window's oldest entry gives way
            } else {
                evictElsewhere(); // a full table, and nothing in this window: the next entry past a sweeping hand
            }
        }
        SLOT.setRelease(slots, 2 * target + 1, value);
        SLOT.setRelease(slots, 2 * target, key);
    }

    /** Deletes the first entry after where the previous call stopped: a clock hand over the whole table. */
    private void evictElsewhere() {
        for (int scanned = 0; scanned <= mask; scanned++) {
            hand = hand + 1 & mask;
            long found = slots[2 * hand];
            if (found != EMPTY && found != DELETED) {
                SLOT.setRelease(slots, 2 * hand, DELETED);
                return;
            }
        }
        size++; // nothing to delete: the table was emptied meanwhile
    }

    /** The slot of the window from {@code home} whose entry was read longest before {@code now}, or -1 if it has none. */
    private int oldest(int home, int now) {
        int oldest = -1;
        int oldestAge = -1;
        for (int probe = 0, slot = home; probe < PROBES; probe++, slot = slot + 1 & mask) {
            long found = slots[2 * slot];
            if (found != EMPTY && found != DELETED) {
                int age = now - tick(slots[2 * slot + 1]) & TICK_MASK;
                if (age > oldestAge) {
                    oldestAge = age;
                    oldest = slot;
                }
            }
        }
        return oldest;
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
