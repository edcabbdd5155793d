package io.homeport.geoip;

import io.homeport.routing.CountryLookup;
import io.homeport.routing.GeoLookup;
import io.homeport.routing.IpAddresses;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * The answers for recently seen client addresses, kept in flat arrays of longs in front of a
 * database: a cached IPv4 answer is one memory read away, an IPv6 one a single CPU cache line.
 * A hash map of objects (this was a Caffeine cache) reaches an answer through a chain of dependent
 * reads — table, node, key, value — each of which can miss the CPU cache; over a busy edge's hot
 * set that chain, not any instruction, was the cached decision's cost (benchmarks/BUDGET.md).
 *
 * <p>Answers are canonical: one immutable {@link CountryLookup} per outcome and country, without
 * the matched network (explanations read the database past the cache, {@link #lookupUncached}),
 * so an entry holds a small answer code instead of a reference, and an address gets the same
 * answer whether it was cached or not. Failed lookups are never cached, so they are retried.
 *
 * <p>Each family's table is eight-way set-associative and bounded by {@code maxEntries}; a new
 * address displaces one of its set's eight when they are all taken (a miss costs only a tree walk of the database, about
 * 100 ns, so no admission policy is worth its bookkeeping here). An IPv4 entry is one long, read
 * and written atomically.
 *
 * <p>IPv6 is cached per /64 where it can be: a phone makes up the lower 64 bits of its address
 * itself and changes them every day or so (RFC 8981 temporary addresses), so per address the
 * cache would keep missing for the same phone. When the database's network for an address is /64
 * or shorter, the whole /64 has that one answer and one entry keeps it; an address in a longer
 * network (whois ranges cut into small blocks, hosting) gets an entry of its own, in the set its
 * whole address hashes to, looked for when its /64's set has no answer. An IPv6 entry is three
 * longs (state: sequence, kind and answer code; the upper and lower 64 bits), guarded by its
 * sequence like a {@link java.util.concurrent.locks.StampedLock}'s optimistic read: a reader that
 * races a writer sees a changed sequence and takes the database's answer instead, so a torn entry
 * can never answer for the wrong address.
 */
public final class CachingGeoLookup implements GeoLookup {

    public static final long DEFAULT_MAX_ENTRIES = 100_000;
    /**
     * The largest {@code geoip.cache.max_entries}: far beyond any edge's hot set. The tables are
     * allocated whole when a database is loaded, 32 bytes per entry of the bound (8 for IPv4, 24
     * for IPv6): 3.2 MB at the default, 512 MB at this bound.
     */
    public static final long MAX_ENTRIES = 1 << 24;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /**
     * Entries per set: with eight, a hot set of a fifth of the bound (16k clients of 100k) fills no
     * set to overflowing, so it all stays cached (with four, about one set in 20,000 overflowed and
     * its addresses kept displacing each other). An IPv4 set is one or two CPU cache lines.
     */
    private static final int WAYS = 8;
    private static final int IPV6_STRIDE = 3;
    /** An IPv6 entry's state: the answer code in the low 15 bits, then the kind, then the sequence. */
    private static final long CODE_BITS = (1 << 15) - 1;
    /** The entry's answer holds for its whole /64: its lower 64 bits are not compared. */
    private static final long WHOLE_64 = 1 << 15;
    /** The lowest bit of the sequence: set while the entry is written. */
    private static final long WRITING = 1L << 16;

    private final GeoLookup database;
    private final long maxEntries;
    /** Sets of {@link #WAYS} IPv4 entries: {@code address << 32 | answer code}, 0 when empty. */
    private final long[] ipv4;
    private final int ipv4Sets;
    /** Sets of {@link #WAYS} IPv6 entries of three longs each: {@code sequence << 16 | kind | answer code} (the sequence odd while written), high, low. */
    private final long[] ipv6;
    private final int ipv6Sets;

    /** Counted on the hit path, which must not wait for its table read to return (a compare-and-set would). */
    private final StripedCounter hits = new StripedCounter();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder entries = new LongAdder();

    /** {@code maxEntries}, rounded down to a multiple of eight, bounds each address family's table (0 caches nothing). */
    public CachingGeoLookup(GeoLookup database, long maxEntries) {
        if (maxEntries < 0 || maxEntries > MAX_ENTRIES) {
            throw new IllegalArgumentException("max_entries: " + maxEntries + " (expected: 0 to " + MAX_ENTRIES + ")");
        }
        this.database = database;
        this.maxEntries = maxEntries;
        this.ipv4Sets = (int) (maxEntries / WAYS);
        this.ipv6Sets = (int) (maxEntries / WAYS);
        this.ipv4 = new long[ipv4Sets * WAYS];
        this.ipv6 = new long[ipv6Sets * WAYS * IPV6_STRIDE];
    }

    /**
     * What the cache has done since it was made, for metrics. Counted without locks: {@code
     * entries} can run a little high when two event loops fill one empty entry at the same moment.
     */
    public record Statistics(long hits, long misses, long evictions, long entries, long maxEntries) {}

    public Statistics statistics() {
        return new Statistics(hits.sum(), misses.sum(), evictions.sum(), entries.sum(), maxEntries);
    }

    @Override
    public CountryLookup lookup(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return lookupIpv4(IpAddresses.bitsOf(v4));
        }
        byte[] bytes = address.getAddress();
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = high << 8 | (bytes[i] & 0xff);
            low = low << 8 | (bytes[i + 8] & 0xff);
        }
        return lookupIpv6(high, low);
    }

    /** A cached IPv4 address is answered with one read and without allocating. */
    @Override
    public CountryLookup lookupIpv4(int address) {
        if (ipv4Sets == 0) {
            return canonical(database.lookupIpv4(address));
        }
        long hash = (address & 0xffff_ffffL) * 0x9e37_79b9_7f4a_7c15L;
        int set = setOf(hash, ipv4Sets) * WAYS;
        long tag = (long) address << 32;
        for (int way = set; way < set + WAYS; way++) {
            long entry = (long) LONGS.getOpaque(ipv4, way);
            if ((entry & 0xffff_ffff_0000_0000L) == tag && (int) entry != 0) {
                hits.increment();
                return CountryLookup.ofCode((int) entry);
            }
        }
        misses.increment();
        CountryLookup fresh = database.lookupIpv4(address);
        int code = CountryLookup.codeOf(fresh);
        if (code == 0) {
            return fresh;
        }
        int way = victim(ipv4, set, hash);
        long displaced = (long) LONGS.getOpaque(ipv4, way);
        LONGS.setOpaque(ipv4, way, tag | code);
        counted(displaced != 0);
        return CountryLookup.ofCode(code);
    }

    /** A cached IPv6 address is answered from one set of the table (two for a network longer than /64), without allocating. */
    @Override
    public CountryLookup lookupIpv6(long high, long low) {
        if (IpAddresses.isIpv4Mapped(high, low)) {
            return lookupIpv4((int) low);
        }
        if (ipv6Sets == 0) {
            return canonical(database.lookupIpv6(high, low));
        }
        long networkHash = high * 0x9e37_79b9_7f4a_7c15L;
        networkHash ^= networkHash >>> 29;
        int networkSet = setOf(networkHash, ipv6Sets) * WAYS * IPV6_STRIDE;
        int code = probeIpv6(networkSet, WHOLE_64, high, 0);
        if (code != 0) {
            hits.increment();
            return CountryLookup.ofCode(code);
        }
        long addressHash = networkHash ^ low * 0xc2b2_ae3d_27d4_eb4fL;
        addressHash ^= addressHash >>> 29;
        int addressSet = setOf(addressHash, ipv6Sets) * WAYS * IPV6_STRIDE;
        code = probeIpv6(addressSet, 0, high, low);
        if (code != 0) {
            hits.increment();
            return CountryLookup.ofCode(code);
        }
        misses.increment();
        CountryLookup fresh = database.lookupIpv6(high, low);
        code = CountryLookup.codeOf(fresh);
        if (code == 0) {
            return fresh;
        }
        if (holdsForItsSlash64(fresh)) {
            storeIpv6(networkSet, networkHash, WHOLE_64 | code, high, 0);
        } else {
            storeIpv6(addressSet, addressHash, code, high, low);
        }
        return CountryLookup.ofCode(code);
    }

    /** The answer code of the entry of this kind for this address in the set, or 0. */
    private int probeIpv6(int set, long kind, long high, long low) {
        for (int entry = set; entry < set + WAYS * IPV6_STRIDE; entry += IPV6_STRIDE) {
            long state = (long) LONGS.getAcquire(ipv6, entry);
            if ((state & (WRITING | WHOLE_64)) == kind && (state & CODE_BITS) != 0
                    && ipv6[entry + 1] == high && ipv6[entry + 2] == low) {
                VarHandle.acquireFence(); // the reads of the address happen before the state is read again
                if ((long) LONGS.getOpaque(ipv6, entry) == state) {
                    return (int) (state & CODE_BITS);
                }
            }
        }
        return 0;
    }

    private void storeIpv6(int set, long hash, long kindAndCode, long high, long low) {
        int entry = set + IPV6_STRIDE * ipv6Victim(set, hash);
        long state = (long) LONGS.getOpaque(ipv6, entry);
        // Being written: another thread has it; a lost CAS: one just took it. Either way this answer stays uncached.
        if ((state & WRITING) == 0 && LONGS.compareAndSet(ipv6, entry, state, state + WRITING)) {
            ipv6[entry + 1] = high;
            ipv6[entry + 2] = low;
            LONGS.setRelease(ipv6, entry, ((state >>> 16) + 2) << 16 | kindAndCode);
            counted((state & CODE_BITS) != 0);
        }
    }

    /**
     * Whether a database answer holds for every address of the /64 it was asked for: its network is
     * IPv6 and no longer than 64 bits. An answer without a network is not known to.
     */
    static boolean holdsForItsSlash64(CountryLookup answer) {
        String network = answer.network();
        int slash = network == null ? -1 : network.lastIndexOf('/');
        if (slash < 0 || network.indexOf(':') < 0) {
            return false;
        }
        try {
            return Integer.parseInt(network, slash + 1, network.length(), 10) <= 64;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Past the cache, with the network: for explanations, and a canary's sample must not fill the cache. */
    @Override
    public CountryLookup lookupUncached(InetAddress address) {
        return database.lookupUncached(address);
    }

    @Override
    public String description() {
        return database.description();
    }

    public GeoLookup database() {
        return database;
    }

    /** Lemire's multiply-shift reduction of the hash's top 32 bits to {@code [0, sets)}: no division. */
    private static int setOf(long hash, int sets) {
        return (int) (((hash >>> 32) * sets) >>> 32);
    }

    /** The IPv4 entry a new answer takes: an empty one if its set has one, else the one the hash picks. */
    private static int victim(long[] table, int set, long hash) {
        for (int way = set; way < set + WAYS; way++) {
            if ((long) LONGS.getOpaque(table, way) == 0) {
                return way;
            }
        }
        return set + (int) (hash & (WAYS - 1));
    }

    /** The same for an IPv6 set: the way's number. */
    private int ipv6Victim(int set, long hash) {
        for (int way = 0; way < WAYS; way++) {
            if ((ipv6[set + way * IPV6_STRIDE] & CODE_BITS) == 0) {
                return way;
            }
        }
        return (int) (hash & (WAYS - 1));
    }

    private void counted(boolean displaced) {
        if (displaced) {
            evictions.increment();
        } else {
            entries.increment();
        }
    }

    /** The shared answer equal to {@code answer} but for its network, or {@code answer} itself if it has none. */
    static CountryLookup canonical(CountryLookup answer) {
        int code = CountryLookup.codeOf(answer);
        return code == 0 ? answer : CountryLookup.ofCode(code);
    }
}
