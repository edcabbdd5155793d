package io.homeport.geoip;

import com.maxmind.db.Metadata;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The binary search tree of a MaxMind DB, walked for IPv4 addresses given as their 32 bits: what
 * the MaxMind reader does before it decodes a record, without the {@code InetAddress}, its byte
 * array and the reader's per-lookup objects. It answers where the address's record is (its offset
 * in the data section) and how long the matched prefix is; decoding the record stays the reader's
 * job, done once per record by the caller.
 *
 * <p>Layout, per the MaxMind DB format: {@code nodeCount} nodes of two records of {@code
 * recordSize} bits (24, 28 or 32), big-endian; a record below {@code nodeCount} is the next node,
 * equal to it means "no data", above it points to data at {@code record - nodeCount - 16} in the
 * data section. In an IPv6 tree, IPv4 addresses live under 96 zero bits.
 */
final class Ipv4SearchTree {

    /** What {@link #lookup} returns when the address has no record. */
    static final long NO_RECORD = 0;
    /** What {@link #lookup} returns when the tree is malformed at that address. */
    static final long INVALID = -1;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final int DATA_SECTION_SEPARATOR = 16;

    /** The search tree section, plus padding so that a four-byte read at the last record stays inside. */
    private final byte[] tree;
    private final long nodeCount;
    private final int recordSize;
    /** The node where IPv4 addresses start, or a record value when the walk there already ended. */
    private final long ipv4Start;
    /** Bytes per node: two records. */
    private final int nodeBytes;

    private Ipv4SearchTree(byte[] tree, long nodeCount, int recordSize, int ipVersion) {
        this.tree = tree;
        this.nodeCount = nodeCount;
        this.recordSize = recordSize;
        this.nodeBytes = recordSize / 4;
        long node = 0;
        if (ipVersion == 6) {
            for (int bit = 0; bit < 96 && node < nodeCount; bit++) {
                node = record(node, 0);
            }
        }
        this.ipv4Start = node;
    }

    /**
     * The tree of the database in {@code file} (the whole file's bytes), or null when this walker
     * does not handle it (an unusual record size, a tree too large for one array, a short file):
     * then the caller keeps using the reader alone.
     */
    static Ipv4SearchTree of(byte[] file, Metadata metadata) {
        int recordSize = metadata.recordSize();
        long nodeCount = metadata.nodeCount();
        if (recordSize != 24 && recordSize != 28 && recordSize != 32) {
            return null;
        }
        long treeSize = nodeCount * recordSize / 4;
        if (nodeCount <= 0 || treeSize > Integer.MAX_VALUE - 16 || treeSize + DATA_SECTION_SEPARATOR > file.length) {
            return null;
        }
        if (metadata.ipVersion() != 4 && metadata.ipVersion() != 6) {
            return null;
        }
        return new Ipv4SearchTree(Arrays.copyOf(file, (int) treeSize + 4), nodeCount, recordSize, metadata.ipVersion());
    }

    /**
     * Walks {@code address}: {@link #NO_RECORD}, {@link #INVALID}, or its record as {@code
     * (dataOffset + 1) << 6 | prefixLength}, where {@code dataOffset} is the record's offset in the
     * data section and {@code prefixLength} (0 to 32) the length of the IPv4 network that matched.
     */
    long lookup(int address) {
        long node = ipv4Start;
        int depth = 0;
        while (node < nodeCount) {
            if (depth == 32) {
                return INVALID; // 32 bits and still inside the tree: not a valid database
            }
            node = record(node, (address >>> (31 - depth)) & 1);
            depth++;
        }
        if (node == nodeCount) {
            return NO_RECORD;
        }
        long dataOffset = node - nodeCount - DATA_SECTION_SEPARATOR;
        if (dataOffset < 0) {
            return INVALID;
        }
        return (dataOffset + 1) << 6 | depth;
    }

    private long record(long node, int side) {
        int base = (int) node * nodeBytes;
        switch (recordSize) {
            case 24:
                return ((int) INT.get(tree, base + side * 3) >>> 8) & 0xff_ffffL;
            case 28:
                if (side == 0) {
                    int value = (int) INT.get(tree, base);
                    return (value >>> 8) | (value & 0xf0) << 20;
                }
                return (int) INT.get(tree, base + 3) & 0x0fff_ffffL;
            default:
                return (int) INT.get(tree, base + side * 4) & 0xffff_ffffL;
        }
    }
}
