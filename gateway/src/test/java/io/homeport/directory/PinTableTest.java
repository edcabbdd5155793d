package io.homeport.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The near-cache's table: found by fingerprint, bounded, the oldest of a window gives way, no torn reads. */
class PinTableTest {

    /** Keys whose home slot is 0 in any table: (k ^ k >>> 32) is 0. */
    private static long sameHome(int i) {
        return (long) i << 32 | i;
    }

    @Test
    void findsByTheWholeFingerprintAndForgets() {
        PinTable table = new PinTable(1_000);
        long key = PinTable.key(0x1234_5678_9abc_def0L);
        table.put(key, PinTable.value(42, 3, 7), 7);

        long value = table.find(key, 42);
        assertThat(PinTable.region(value)).isEqualTo(3);
        assertThat(PinTable.tick(value)).isEqualTo(7);
        assertThat(table.find(key, 43)).as("another id with the same 64 bits").isEqualTo(PinTable.MISS);
        assertThat(table.find(key + 1, 42)).isEqualTo(PinTable.MISS);

        table.put(key, PinTable.value(42, 5, 9), 9);
        assertThat(PinTable.region(table.find(key, 42))).as("replaced in place").isEqualTo(5);
        assertThat(table.size()).isEqualTo(1);

        table.remove(key);
        assertThat(table.find(key, 42)).isEqualTo(PinTable.MISS);
        assertThat(table.size()).isZero();

        table.put(key, PinTable.value(42, 1, 1), 1);
        table.clear();
        assertThat(table.find(key, 42)).isEqualTo(PinTable.MISS);
        assertThat(table.size()).isZero();
    }

    @Test
    void theMarksAreNeverKeys() {
        assertThat(PinTable.key(0)).isNotIn(0L, 1L);
        assertThat(PinTable.key(1)).isNotIn(0L, 1L);
        assertThat(PinTable.key(-5)).isEqualTo(-5);
    }

    @Test
    void aFullWindowEvictsTheEntryReadLongestAgo() {
        PinTable table = new PinTable(1_000);
        for (int i = 0; i < PinTable.PROBES; i++) {
            table.put(sameHome(i + 2), PinTable.value(i, 1, 10 + i), 10 + i);
        }
        table.put(sameHome(100), PinTable.value(100, 2, 20), 20);

        assertThat(table.find(sameHome(2), 0)).as("read at tick 10: the oldest").isEqualTo(PinTable.MISS);
        for (int i = 1; i < PinTable.PROBES; i++) {
            assertThat(table.find(sameHome(i + 2), i)).isNotEqualTo(PinTable.MISS);
        }
        assertThat(PinTable.region(table.find(sameHome(100), 100))).isEqualTo(2);
        assertThat(table.size()).isEqualTo(PinTable.PROBES);
    }

    @Test
    void anEntryNotInUseGivesWayBeforeOneInUse() {
        PinTable table = new PinTable(1_000);
        for (int i = 0; i < PinTable.PROBES; i++) {
            table.put(sameHome(i + 2), PinTable.value(i, 1, 10 + i), 10 + i);
        }
        long fetched = table.find(sameHome(2), 0); // the oldest; a first find, as a held request's own: no sign of use
        table.put(sameHome(100), PinTable.value(100, 2, 20), 20);
        assertThat(table.find(sameHome(2), 0)).as("found once only: the first to go").isEqualTo(PinTable.MISS);

        long found = table.find(sameHome(3), 1); // the oldest now, found twice: in use
        assertThat(table.find(sameHome(3), 1)).as("the marks are not part of the value").isEqualTo(found);
        assertThat(PinTable.region(fetched)).isEqualTo(1);

        table.put(sameHome(101), PinTable.value(101, 2, 21), 21);
        assertThat(table.find(sameHome(3), 1)).as("in use: spared").isEqualTo(found);
        assertThat(table.find(sameHome(4), 2)).as("the oldest not in use gave way").isEqualTo(PinTable.MISS);

        // Every entry of the window in use: the marks are cleared, and the one read longest ago goes.
        for (long key : new long[] {sameHome(5), sameHome(6), sameHome(7), sameHome(8), sameHome(9), sameHome(100), sameHome(101)}) {
            int low = key == sameHome(100) ? 100 : key == sameHome(101) ? 101 : (int) key - 2;
            table.find(key, low);
            assertThat(table.find(key, low)).isNotEqualTo(PinTable.MISS);
        }
        table.put(sameHome(102), PinTable.value(102, 2, 22), 22);
        assertThat(table.find(sameHome(3), 1)).isEqualTo(PinTable.MISS);
        // The marks cleared: the next one to go is the oldest of the rest, in use before or not.
        table.put(sameHome(103), PinTable.value(103, 2, 23), 23);
        assertThat(table.find(sameHome(5), 3)).isEqualTo(PinTable.MISS);
        assertThat(table.size()).isEqualTo(PinTable.PROBES);
    }

    /**
     * A storm of one-off entries does not push out entries in use: each is found between the storm's
     * waves, and keeps its place, although it was read from the store before all of them (a
     * first-in, first-out table loses nearly all: checked with the mark taken out).
     */
    @Test
    void entriesInUseOutlastAStormOfOneOffs() {
        PinTable table = new PinTable(1_000);
        SplittableRandom random = new SplittableRandom(11);
        long[] hot = new long[200];
        for (int i = 0; i < hot.length; i++) {
            hot[i] = PinTable.key(random.nextLong());
            table.put(hot[i], PinTable.value(i, 1, 0), 0);
        }
        for (int wave = 1; wave <= 50; wave++) {
            for (int i = 0; i < 100; i++) {
                table.put(PinTable.key(random.nextLong()), PinTable.value(i, 2, wave), wave);
            }
            for (int i = 0; i < hot.length; i++) {
                table.find(hot[i], i);
            }
        }
        int held = 0;
        for (int i = 0; i < hot.length; i++) {
            held += table.find(hot[i], i) != PinTable.MISS ? 1 : 0;
        }
        assertThat(held).as("entries in use still held after 5,000 one-offs through a table of 1,000").isGreaterThanOrEqualTo(190);
    }

    @Test
    void entriesBehindARemovedOneStayFound() {
        PinTable table = new PinTable(1_000);
        for (int i = 0; i < 4; i++) {
            table.put(sameHome(i + 2), PinTable.value(i, 1, 1), 1);
        }
        table.remove(sameHome(2));
        assertThat(table.find(sameHome(5), 3)).isNotEqualTo(PinTable.MISS);
        table.put(sameHome(50), PinTable.value(50, 1, 1), 1); // reuses the removed slot
        assertThat(table.find(sameHome(50), 50)).isNotEqualTo(PinTable.MISS);
        assertThat(table.find(sameHome(5), 3)).isNotEqualTo(PinTable.MISS);
        table.put(sameHome(5), PinTable.value(3, 2, 2), 2); // an existing key further on is updated, not duplicated
        assertThat(PinTable.region(table.find(sameHome(5), 3))).isEqualTo(2);
        assertThat(table.size()).isEqualTo(4);
    }

    @Test
    void holdsAboutMaxEntries() {
        PinTable table = new PinTable(1_000);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 50_000; i++) {
            table.put(PinTable.key(random.nextLong()), PinTable.value(i, 1, i), i);
        }
        assertThat(table.size()).as("at most max_entries").isBetween(900, 1_000);
        assertThat(table.slots()).isEqualTo(2_048);
        PinTable none = new PinTable(0);
        none.put(PinTable.key(7), PinTable.value(7, 1, 1), 1);
        assertThat(none.find(PinTable.key(7), 7)).isEqualTo(PinTable.MISS);
    }

    /**
     * Writers replace and evict while readers look: every value a reader gets is one that was
     * written for its key (the region is a function of the key), never another key's.
     */
    @Test
    void readersNeverPairOneKeysFingerprintWithAnothersValue() throws Exception {
        PinTable table = new PinTable(256); // small: windows fill and evict all the time
        int keys = 4_096;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong hits = new AtomicLong();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int seed = w;
            threads.add(new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                for (int tick = 0; !stop.get(); tick++) {
                    int k = random.nextInt(keys);
                    if (random.nextInt(10) == 0) {
                        table.remove(key(k));
                    } else {
                        table.put(key(k), PinTable.value(low(k), region(k), tick), tick);
                    }
                }
            }));
        }
        for (int r = 0; r < 2; r++) {
            int seed = 100 + r;
            threads.add(new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                while (!stop.get()) {
                    int k = random.nextInt(keys);
                    long value = table.find(key(k), low(k));
                    if (value != PinTable.MISS) {
                        hits.incrementAndGet();
                        if (PinTable.region(value) != region(k)) {
                            wrong.add("key " + k + " read region " + PinTable.region(value));
                        }
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        Thread.sleep(1_500);
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(wrong).isEmpty();
        assertThat(hits.get()).isPositive();
    }

    /** Keys that share home slots in a small table; their low fingerprints all alike, so only the key tells them apart. */
    private static long key(int k) {
        return sameHome(k % 64 + 2) ^ (long) (k / 64) << 40;
    }

    private static int low(int k) {
        return 7;
    }

    private static int region(int k) {
        return k % PinTable.MAX_REGION + 1;
    }
}
