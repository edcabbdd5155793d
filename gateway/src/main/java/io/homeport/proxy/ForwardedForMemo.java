package io.homeport.proxy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The clients of X-Forwarded-For values seen before, and their countries: behind a load balancer
 * the same values come again and again (a phone's keep-alive connection, a busy edge's hot set),
 * and a repeated one costs one table read instead of a parse and a GeoIP cache read, which were
 * about half of the cached IPv6 decision's time (benchmarks/BUDGET.md).
 *
 * <p>An entry is keyed by the value's text itself, up to {@link #MAX_LENGTH} characters (any IPv6
 * literal, two IPv4 hops), eight characters a word, and compared whole on a hit: a hit is the
 * very text that was resolved before, never a look-alike. The text is read as the bytes it was
 * made from, copied whole (half the lookup's time for an IPv6 value, against reading it a
 * character at a time): header values are Latin-1, one character a byte, whichever framing
 * decoded them (Netty's decoders and {@code RequestHead} make them from the wire's bytes). A value
 * with a byte outside ASCII is never an address list and is never kept. An entry holds only
 * answers that depend on that text and the trusted blocks alone — an X-Forwarded-For hop that
 * {@link ClientAddressResolver#resolveBits} found for a trusted peer — so one memo serves one
 * resolver, whichever of its trusted peers sent the value. Values the parser leaves to the general
 * path are never kept, and neither is "the peer itself" (it depends on the peer).
 *
 * <p>The country is kept with the {@link #epochOf epoch} of the GeoIP lookup that answered it: a
 * new database is a new epoch, and an entry of another epoch still gives the address but not the
 * country. Failed lookups have no {@link io.homeport.routing.CountryLookup#codeOf code} and are
 * never kept, so they are retried.
 *
 * <p>Only values longer than a dotted quad are kept: an IPv6 client, or several hops. A value of
 * up to 15 characters (one IPv4 address, the commonest) is left to the parser: with such values
 * kept here the IPv4 decision was slower (the table's read misses the CPU's cache as often as the
 * GeoIP cache's denser 8-byte entries do, and a dotted quad parses about as fast as it is found;
 * benchmarks/BUDGET.md). The table is two-way set-associative, 65,536 entries of 64 bytes (4 MB,
 * allocated when the resolver trusts anyone); a set keeps its two most recent values. Shared by
 * the event loops: each entry is guarded by a sequence like a {@link
 * java.util.concurrent.locks.StampedLock}'s optimistic read, as the GeoIP cache's IPv6 entries
 * are, so a reader that races a writer sees the sequence change and takes it as a miss.
 */
public final class ForwardedForMemo {

    /** The longest value kept: five words. */
    public static final int MAX_LENGTH = 40;
    /** The shortest value kept: one longer than any dotted quad. */
    public static final int MIN_LENGTH = 16;
    /** {@link #find}: the value is not in the memo. */
    public static final int MISS = -1;

    private static final int WAYS = 2;
    private static final int WORDS = MAX_LENGTH / 8;
    /** Sets of entries: state, the client's upper and lower 64 bits, five words of the value. */
    private static final int SET_BITS = 15;
    private static final int STRIDE = 8;
    private static final int HIGH = 1;
    private static final int LOW = 2;
    private static final int KEY = 3;

    // An entry's state: length (6 bits, 0 for an empty entry), hop (5), country code (10), epoch (32), sequence (11).
    private static final long LENGTH_BITS = (1 << 6) - 1;
    private static final int HOP_SHIFT = 6;
    private static final int CODE_SHIFT = 11;
    private static final int EPOCH_SHIFT = 21;
    private static final int SEQUENCE_SHIFT = 53;
    /** The lowest bit of the sequence: set while the entry is written. */
    private static final long WRITING = 1L << SEQUENCE_SHIFT;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle BYTES = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long[] table = new long[(1 << SET_BITS) * WAYS * STRIDE];

    /** Which GeoIP lookup the countries of which epoch came from. */
    private record Binding(Object geo, int epoch) {}

    private volatile Binding binding = new Binding(null, 0);

    /**
     * One event loop's scratch for a lookup: the value's words, and the client's 128 bits (an
     * IPv4 client in its IPv4-mapped form) where {@link #find} and {@link
     * ClientAddressResolver#resolveBits} put them.
     */
    public static final class Probe {
        /** The client's upper and lower 64 bits. */
        public final long[] bits = new long[2];
        final long[] words = new long[WORDS];
        final byte[] bytes = new byte[MAX_LENGTH + 8];
        /** The value's length, or 0 when it cannot be kept. */
        int length;
        long hash;
    }

    /**
     * The epoch of answers from {@code geo}: the same number for as long as {@code geo} is the
     * lookup asked, a new one when another is. Each number stands for one lookup only.
     */
    public int epochOf(Object geo) {
        Binding current = binding;
        return current.geo == geo ? current.epoch : rebind(geo);
    }

    private synchronized int rebind(Object geo) {
        Binding current = binding;
        if (current.geo != geo) {
            current = new Binding(geo, current.epoch + 1);
            binding = current;
        }
        return current.epoch;
    }

    /**
     * Looks {@code value} up. On a hit the client's bits are in {@code probe.bits} and the answer
     * is the X-Forwarded-For hop they came from, plus the country's code times 256 when it was
     * kept under {@code epoch} (else no code: look it up). {@link #MISS} otherwise; then {@code
     * probe} is ready for {@link #remember}.
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the low bytes, which are the text's (see above)
    public int find(String value, int epoch, Probe probe) {
        int length = value.length();
        probe.length = 0;
        if (length < MIN_LENGTH || length > MAX_LENGTH) {
            return MISS;
        }
        long[] words = probe.words;
        int used = (length + 7) >>> 3;
        byte[] bytes = probe.bytes;
        value.getBytes(0, length, bytes, 0); // Latin-1 text: its bytes, one a character, copied whole
        long seen = 0;
        long hash = length;
        for (int word = 0; word < used; word++) {
            long packed = (long) BYTES.get(bytes, word << 3);
            int valid = length - (word << 3);
            if (valid < 8) {
                packed &= -1L >>> ((8 - valid) << 3);
            }
            seen |= packed;
            words[word] = packed;
            hash = (hash ^ packed) * 0x9e37_79b9_7f4a_7c15L;
        }
        for (int word = used; word < WORDS; word++) {
            words[word] = 0;
        }
        if ((seen & 0x8080_8080_8080_8080L) != 0) {
            return MISS; // not ASCII, so not a list of address literals: the parser judges it
        }
        probe.length = length;
        probe.hash = hash ^ hash >>> 29;
        int set = setOf(probe.hash);
        for (int entry = set; entry < set + WAYS * STRIDE; entry += STRIDE) {
            long state = (long) LONGS.getAcquire(table, entry);
            if ((state & (LENGTH_BITS | WRITING)) != length || !sameKey(entry, words, used)) {
                continue;
            }
            long high = table[entry + HIGH];
            long low = table[entry + LOW];
            VarHandle.acquireFence(); // the entry's reads happen before the state is read again
            if ((long) LONGS.getOpaque(table, entry) == state) {
                probe.bits[0] = high;
                probe.bits[1] = low;
                return answer(state, epoch);
            }
        }
        return MISS;
    }

    /** The hop, and the country's code times 256 when it is of {@code epoch}. */
    private static int answer(long state, int epoch) {
        int hop = (int) (state >>> HOP_SHIFT) & 31;
        boolean current = (int) (state >>> EPOCH_SHIFT) == epoch;
        return current ? hop | ((int) (state >>> CODE_SHIFT) & 1023) << 8 : hop;
    }

    private boolean sameKey(int entry, long[] words, int used) {
        for (int i = 0; i < used; i++) {
            if (table[entry + KEY + i] != words[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Keeps what {@link ClientAddressResolver#resolveBits} found in {@code probe.bits} for the value
     * {@link #find} last missed with this probe: its X-Forwarded-For {@code hop} and the country's
     * {@code code} under {@code epoch} (0: none). A value that cannot be kept is not.
     */
    public void remember(Probe probe, int hop, int code, int epoch) {
        if (probe.length == 0 || hop < 0 || hop > 31 || code < 0 || code > 1023) {
            return;
        }
        long meta = (epoch & 0xffff_ffffL) << EPOCH_SHIFT | (long) code << CODE_SHIFT | (long) hop << HOP_SHIFT
                | probe.length;
        int entry = victim(probe);
        long state = (long) LONGS.getOpaque(table, entry);
        // Being written: another thread has it; a lost CAS: one just took it. Either way this answer stays unkept.
        if ((state & WRITING) != 0 || !LONGS.compareAndSet(table, entry, state, state + WRITING)) {
            return;
        }
        table[entry + HIGH] = probe.bits[0];
        table[entry + LOW] = probe.bits[1];
        for (int i = 0; i < WORDS; i++) {
            table[entry + KEY + i] = probe.words[i];
        }
        LONGS.setRelease(table, entry, ((state >>> SEQUENCE_SHIFT) + 2) << SEQUENCE_SHIFT | meta);
    }

    /** The entry a new answer takes: the value's own (another epoch's), an empty one, else one picked by the hash. */
    private int victim(Probe probe) {
        int set = setOf(probe.hash);
        int used = (probe.length + 7) >>> 3;
        int empty = -1;
        for (int entry = set; entry < set + WAYS * STRIDE; entry += STRIDE) {
            long state = (long) LONGS.getOpaque(table, entry);
            if ((state & LENGTH_BITS) == probe.length && sameKey(entry, probe.words, used)) {
                return entry;
            }
            if ((state & LENGTH_BITS) == 0 && empty < 0) {
                empty = entry;
            }
        }
        return empty >= 0 ? empty : set + STRIDE * ((int) (probe.hash >>> 7) & (WAYS - 1));
    }

    /** The first entry of the hash's set. */
    private static int setOf(long hash) {
        return (int) ((hash * 0xc2b2_ae3d_27d4_eb4fL) >>> (64 - SET_BITS)) * WAYS * STRIDE;
    }
}
