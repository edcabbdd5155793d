package io.homeport.geoip;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks a whole MaxMind DB file before anything looks up an address in it, as libmaxminddb's
 * {@code mmdbverify} and the Go reader's {@code Verify} do, so that damage is refused at load time
 * instead of failing (or silently misrouting) requests later. The MaxMind Java reader has no such
 * check: it decodes lazily, one record per lookup.
 *
 * <p>What is checked: the metadata (format version 2, record size 24/28/32, {@code ip_version} 4
 * or 6, the search tree and the 16-byte zero separator fitting before the metadata); every
 * search-tree record points at another node, at "no data", or inside the data section; the tree
 * has no cycle, no path longer than the address, no node that the root does not reach and no node
 * with two parents but the IPv4 subtree's (its aliases: what MaxMind's writers make); the data
 * section is exactly the sequence of records the tree points at (Go's rule: no record the tree
 * does not point at, no tree pointer into the middle of a record); every record decodes (types,
 * sizes, pointers in range, no pointer to a pointer, no pointer cycle, bounded nesting, strings
 * in UTF-8); country codes, where the schema has them, are two letters A-Z; and in MaxMind's own
 * databases the record and its country maps have only the GeoIP2 schema's keys.
 *
 * <p>Pure: bytes in, a {@link Damage} out naming the place. Runs in time linear in the file.
 */
public final class MmdbVerifier {

    /** What and where; the message is meant for an operator ({@code search tree node 42: ...}). */
    public static final class Damage extends Exception {
        Damage(String message) {
            super(message, null, false, false);
        }
    }

    /** What the metadata says, after checking. */
    public record Summary(String databaseType, int ipVersion, int recordSize, long nodeCount, long buildEpoch,
            int dataRecords) {}

    static final byte[] METADATA_MARKER = {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 'M', 'a', 'x', 'M', 'i', 'n', 'd',
        '.', 'c', 'o', 'm'};
    private static final int METADATA_MAX_SIZE = 128 * 1024;
    private static final int SEPARATOR = 16;
    /** The keys of a GeoIP2/GeoLite2 Country, City or Enterprise record, and of its country maps. */
    private static final Set<String> GEOIP2_RECORD_KEYS = Set.of("city", "continent", "country",
            "location", "postal", "registered_country", "represented_country", "subdivisions", "traits");
    private static final Set<String> GEOIP2_COUNTRY_KEYS = Set.of("confidence", "geoname_id",
            "is_in_european_union", "iso_code", "names", "type");
    /** libmaxminddb's bound on nesting (MAXIMUM_DATA_STRUCTURE_DEPTH). */
    private static final int MAX_DEPTH = 512;

    private static final int POINTER = 1;
    private static final int UTF8_STRING = 2;
    private static final int DOUBLE = 3;
    private static final int BYTES = 4;
    private static final int UINT16 = 5;
    private static final int UINT32 = 6;
    private static final int MAP = 7;
    private static final int INT32 = 8;
    private static final int UINT64 = 9;
    private static final int UINT128 = 10;
    private static final int ARRAY = 11;
    private static final int BOOLEAN = 14;
    private static final int FLOAT = 15;

    private MmdbVerifier() {}

    /** Verifies {@code file}, the whole database's bytes. */
    public static Summary verify(byte[] file) throws Damage {
        int metadataStart = findMetadata(file);
        Metadata metadata = Metadata.read(file, metadataStart);
        long treeSize = metadata.nodeCount * metadata.recordSize / 4;
        if (treeSize + SEPARATOR > metadataStart - METADATA_MARKER.length) {
            throw new Damage("metadata: node_count " + metadata.nodeCount + " with record_size " + metadata.recordSize
                    + " needs a " + treeSize + "-byte search tree and a 16-byte separator, but only "
                    + (metadataStart - METADATA_MARKER.length) + " bytes precede the metadata (truncated file or wrong node_count)");
        }
        int tree = (int) treeSize;
        for (int i = 0; i < SEPARATOR; i++) {
            if (file[tree + i] != 0) {
                throw new Damage("data section separator (byte " + (tree + i) + "): not 16 zero bytes"
                        + " (wrong node_count or a damaged tree)");
            }
        }
        int dataStart = tree + SEPARATOR;
        int dataEnd = metadataStart - METADATA_MARKER.length;
        BitSet recordStarts = new SearchTree(file, metadata, dataEnd - dataStart).verify();
        boolean maxMindSchema = hasGeoIp2CountrySchema(metadata.databaseType);
        int records = new DataSection(file, dataStart, dataEnd, maxMindSchema).verify(recordStarts);
        return new Summary(metadata.databaseType, metadata.ipVersion, metadata.recordSize, metadata.nodeCount,
                metadata.buildEpoch, records);
    }

    /**
     * MaxMind's Country, City and Enterprise databases: their records have the GeoIP2 schema's keys.
     * (Their other databases, ASN or ISP, hold no country: the gateway refuses them by type.)
     */
    static boolean hasGeoIp2CountrySchema(String databaseType) {
        String type = databaseType.toLowerCase(Locale.ROOT);
        return (type.startsWith("geoip2-") || type.startsWith("geolite2-"))
                && (type.contains("-country") || type.contains("-city") || type.contains("-enterprise"));
    }

    /** The offset just after the last metadata marker in the file's last 128 KiB. */
    private static int findMetadata(byte[] file) throws Damage {
        int lowest = Math.max(0, file.length - METADATA_MAX_SIZE);
        outer:
        for (int at = file.length - METADATA_MARKER.length; at >= lowest; at--) {
            for (int i = 0; i < METADATA_MARKER.length; i++) {
                if (file[at + i] != METADATA_MARKER[i]) {
                    continue outer;
                }
            }
            return at + METADATA_MARKER.length;
        }
        throw new Damage("not a valid MaxMind DB (MMDB) file: no metadata marker in its last 128 KiB"
                + " (another kind of file, or truncated)");
    }

    /** The metadata keys the verifier and the readers rely on. */
    private record Metadata(long nodeCount, int recordSize, int ipVersion, String databaseType, long buildEpoch) {

        static Metadata read(byte[] file, int start) throws Damage {
            Decoder decoder = new Decoder(file, start, file.length, "metadata");
            Object value = decoder.decodeValue(start, null);
            if (decoder.next != file.length) {
                throw new Damage("metadata: " + (file.length - decoder.next) + " unexpected bytes after the metadata map");
            }
            if (!(value instanceof Map<?, ?> map)) {
                throw new Damage("metadata: not a map");
            }
            long major = number(map, "binary_format_major_version");
            if (major != 2) {
                throw new Damage("metadata: binary_format_major_version " + major + " (expected: 2)");
            }
            number(map, "binary_format_minor_version");
            if (!(map.get("description") instanceof Map<?, ?>)) {
                throw new Damage("metadata: description missing or not a map");
            }
            if (map.get("languages") != Placeholder.ARRAY) {
                throw new Damage("metadata: languages missing or not an array");
            }
            long nodeCount = number(map, "node_count");
            long recordSize = number(map, "record_size");
            long ipVersion = number(map, "ip_version");
            long buildEpoch = number(map, "build_epoch");
            if (recordSize != 24 && recordSize != 28 && recordSize != 32) {
                throw new Damage("metadata: record_size " + recordSize + " (expected: 24, 28 or 32)");
            }
            if (ipVersion != 4 && ipVersion != 6) {
                throw new Damage("metadata: ip_version " + ipVersion + " (expected: 4 or 6)");
            }
            if (nodeCount <= 0 || nodeCount >= (1L << recordSize) - SEPARATOR) {
                throw new Damage("metadata: node_count " + nodeCount + " out of range for " + recordSize + "-bit records");
            }
            Object type = map.get("database_type");
            if (!(type instanceof String databaseType)) {
                throw new Damage("metadata: database_type missing or not a string");
            }
            return new Metadata(nodeCount, (int) recordSize, (int) ipVersion, databaseType, buildEpoch);
        }

        private static long number(Map<?, ?> map, String key) throws Damage {
            Object value = map.get(key);
            if (!(value instanceof Long number)) {
                throw new Damage("metadata: " + key + " missing or not an unsigned integer");
            }
            return number;
        }
    }

    /** The search tree: structure and where it points. */
    private static final class SearchTree {
        private final byte[] file;
        private final long nodeCount;
        private final int recordSize;
        private final int bits;
        private final int dataSize;

        SearchTree(byte[] file, Metadata metadata, int dataSize) {
            this.file = file;
            this.nodeCount = metadata.nodeCount;
            this.recordSize = metadata.recordSize;
            this.bits = metadata.ipVersion == 6 ? 128 : 32;
            this.dataSize = dataSize;
        }

        /**
         * Walks every node once, depth first from the root, and returns the data offsets the tree
         * points at. A node met again while still on the walk's path is a cycle; a path of more
         * nodes than the address has bits never ends a lookup. A node reached a second time from
         * elsewhere is allowed (an IPv6 tree's IPv4 aliases point into the IPv4 subtree).
         */
        BitSet verify() throws Damage {
            int nodes = (int) nodeCount;
            long ipv4Root = ipv4Root();
            byte[] state = new byte[nodes]; // 0 not seen, 1 on the path, 2 done
            int[] height = new int[nodes]; // longest path below, in nodes, counting the node
            BitSet recordStarts = new BitSet(dataSize);
            // Explicit stack of (node, next side to visit) so a 128-deep tree needs no recursion.
            int[] stackNode = new int[bits + 2];
            byte[] stackSide = new byte[bits + 2];
            int top = 0;
            stackNode[0] = 0;
            stackSide[0] = 0;
            state[0] = 1;
            while (top >= 0) {
                int node = stackNode[top];
                int side = stackSide[top];
                if (side == 2) {
                    state[node] = 2;
                    int h = height[node] + 1;
                    height[node] = h;
                    top--;
                    if (top >= 0 && height[stackNode[top]] < h) {
                        height[stackNode[top]] = h;
                    }
                    continue;
                }
                stackSide[top] = (byte) (side + 1);
                long record = record(node, side);
                if (record < nodeCount) {
                    int child = (int) record;
                    if (state[child] == 1) {
                        throw new Damage("search tree node " + node + ": record " + side + " points back to node " + child
                                + " on its own path (a cycle)");
                    }
                    if (state[child] == 2) {
                        if (child != ipv4Root) {
                            throw new Damage("search tree node " + node + ": record " + side + " points at node " + child
                                    + ", which another record already points at (only the IPv4 subtree may be shared)");
                        }
                        if (height[child] > height[node]) {
                            height[node] = height[child];
                        }
                    } else {
                        if (top + 1 >= bits) {
                            throw new Damage("search tree node " + node + ": record " + side
                                    + " leads deeper than the " + bits + " bits of an IPv" + (bits == 32 ? 4 : 6) + " address");
                        }
                        state[child] = 1;
                        top++;
                        stackNode[top] = child;
                        stackSide[top] = 0;
                    }
                } else if (record > nodeCount) {
                    long offset = record - nodeCount - SEPARATOR;
                    if (offset < 0) {
                        throw new Damage("search tree node " + node + ": record " + side + " (" + record
                                + ") points into the data section separator");
                    }
                    if (offset >= dataSize) {
                        throw new Damage("search tree node " + node + ": record " + side
                                + " points past the data section (offset " + offset + " of " + dataSize + ")");
                    }
                    recordStarts.set((int) offset);
                }
            }
            if (height[0] > bits) {
                throw new Damage("search tree: a path of " + height[0] + " nodes, longer than the " + bits + " address bits");
            }
            for (int node = 0; node < nodes; node++) {
                if (state[node] == 0) {
                    throw new Damage("search tree node " + node + ": not reachable from the root"
                            + " (a damaged record or a wrong node_count)");
                }
            }
            return recordStarts;
        }

        /**
         * The node where an IPv6 tree's IPv4 subtree (::/96) starts, or -1: the one node a writer
         * makes several records point at (aliases such as ::ffff:0:0/96 and 2002::/16). Every
         * other node has one parent, so a damaged record that points at an existing node is found.
         */
        private long ipv4Root() {
            if (bits != 128) {
                return -1;
            }
            long node = 0;
            for (int bit = 0; bit < 96; bit++) {
                if (node >= nodeCount) {
                    return -1;
                }
                node = record((int) node, 0);
            }
            return node < nodeCount ? node : -1;
        }

        private long record(int node, int side) {
            int base = node * (recordSize / 4);
            switch (recordSize) {
                case 24: {
                    int at = base + side * 3;
                    return (file[at] & 0xffL) << 16 | (file[at + 1] & 0xff) << 8 | file[at + 2] & 0xff;
                }
                case 28: {
                    int middle = file[base + 3] & 0xff;
                    if (side == 0) {
                        return (long) (middle & 0xf0) << 20 | (file[base] & 0xffL) << 16 | (file[base + 1] & 0xff) << 8
                                | file[base + 2] & 0xff;
                    }
                    return (long) (middle & 0x0f) << 24 | (file[base + 4] & 0xffL) << 16 | (file[base + 5] & 0xff) << 8
                            | file[base + 6] & 0xff;
                }
                default: {
                    int at = base + side * 4;
                    return (file[at] & 0xffL) << 24 | (file[at + 1] & 0xffL) << 16 | (file[at + 2] & 0xff) << 8
                            | file[at + 3] & 0xff;
                }
            }
        }
    }

    /** The data section: every record decodes, and the records are exactly those the tree points at. */
    private static final class DataSection {
        private final byte[] file;
        private final int start;
        private final int end;
        private final boolean maxMindSchema;

        DataSection(byte[] file, int start, int end, boolean maxMindSchema) {
            this.file = file;
            this.start = start;
            this.end = end;
            this.maxMindSchema = maxMindSchema;
        }

        /** Decodes the records one after another; returns how many there are. */
        int verify(BitSet recordStarts) throws Damage {
            Decoder decoder = new Decoder(file, start, end, "data section");
            int offset = 0;
            int size = end - start;
            int records = 0;
            while (offset < size) {
                if (!recordStarts.get(offset)) {
                    throw new Damage("data section offset " + offset + ": a record the search tree does not point at"
                            + " (damaged data or a damaged tree)");
                }
                decoder.verifyRecord(start + offset, maxMindSchema);
                recordStarts.clear(offset);
                records++;
                offset = decoder.next - start;
            }
            int stray = recordStarts.nextSetBit(0);
            if (stray >= 0) {
                throw new Damage("search tree: points at data section offset " + stray + ", which is not the start of a record");
            }
            return records;
        }
    }

    /**
     * Decodes MaxMind DB values with bounds checks. Pointers are relative to {@code base}; a
     * pointer target is verified once and remembered, so shared values cost one decode.
     */
    private static final class Decoder {
        private final byte[] file;
        private final int base;
        private final int end;
        private final String section;
        /** Just past the last value decoded at the top of {@link #decodeValue} (pointers excluded). */
        int next;
        /** Pointer targets already decoded, by absolute offset: shared values cost one decode. */
        private final Map<Integer, Object> decodedTargets = new HashMap<>();
        private final BitSet targetsInProgress = new BitSet();
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();

        Decoder(byte[] file, int base, int end, String section) {
            this.file = file;
            this.base = base;
            this.end = end;
            this.section = section;
        }

        /**
         * A top-level record of the data section, with its country codes checked; in MaxMind's
         * own databases also its keys, so that a damaged key ("bountry") is not read as "no country".
         */
        void verifyRecord(int at, boolean maxMindSchema) throws Damage {
            Object value = decodeValue(at, new int[] {0});
            if (!(value instanceof Map<?, ?>)) {
                return; // non-map records carry no country; lookups read them as "no country"
            }
            Map<?, ?> record = (Map<?, ?>) value;
            if (maxMindSchema) {
                checkKeys(at, "record", record, GEOIP2_RECORD_KEYS);
            }
            checkCode(at, "country_code", record.get("country_code"));
            for (String key : new String[] {"country", "registered_country", "represented_country"}) {
                Object country = record.get(key);
                if (country == null) {
                    continue;
                }
                if (!(country instanceof Map<?, ?> map)) {
                    throw damage(at, key + " is not a map");
                }
                if (maxMindSchema) {
                    checkKeys(at, key, map, GEOIP2_COUNTRY_KEYS);
                }
                checkCode(at, key + ".iso_code", map.get("iso_code"));
            }
        }

        private void checkKeys(int at, String what, Map<?, ?> map, Set<String> known) throws Damage {
            for (Object key : map.keySet()) {
                if (!known.contains(key)) {
                    throw damage(at, what + " has the key \"" + key + "\", which is not in the GeoIP2 schema");
                }
            }
        }

        private void checkCode(int at, String key, Object code) throws Damage {
            if (code == null) {
                return;
            }
            if (!(code instanceof String text) || text.length() != 2 || !isUpper(text.charAt(0)) || !isUpper(text.charAt(1))) {
                throw damage(at, key + " " + describe(code) + " is not a country code (two letters A-Z)");
            }
        }

        private static boolean isUpper(char c) {
            return c >= 'A' && c <= 'Z';
        }

        private static String describe(Object value) {
            return value instanceof String text ? '"' + text + '"' : "(" + value.getClass().getSimpleName() + ")";
        }

        private Damage damage(int at, String what) {
            return new Damage(section + " offset " + (at - base) + ": " + what);
        }

        /**
         * Decodes the value at {@code at}; sets {@link #next} past it. Values the checks need
         * (maps, strings, unsigned integers) are returned; everything else is checked and
         * returned as a placeholder. {@code depth}, when not null, bounds nesting.
         */
        Object decodeValue(int at, int[] depth) throws Damage {
            if (depth == null) {
                depth = new int[] {0};
            }
            if (++depth[0] > MAX_DEPTH) {
                throw damage(at, "values nested deeper than " + MAX_DEPTH);
            }
            try {
                return decode(at, depth, true);
            } finally {
                depth[0]--;
            }
        }

        private Object decode(int at, int[] depth, boolean followPointer) throws Damage {
            int position = at;
            int control = byteAt(position++, at);
            int type = control >>> 5;
            if (type == 0) {
                int extended = byteAt(position++, at);
                type = 7 + extended;
                if (type < 8 || type > FLOAT) {
                    throw damage(at, "unknown extended type " + type);
                }
            }
            if (type == POINTER) {
                if (!followPointer) {
                    throw damage(at, "a pointer to a pointer");
                }
                int sizeBits = (control >>> 3) & 3;
                long target = control & 7;
                switch (sizeBits) {
                    case 0:
                        target = target << 8 | byteAt(position++, at);
                        break;
                    case 1:
                        target = (target << 16 | (long) byteAt(position++, at) << 8 | byteAt(position++, at)) + 2048;
                        break;
                    case 2:
                        target = (target << 24 | (long) byteAt(position++, at) << 16 | (long) byteAt(position++, at) << 8
                                | byteAt(position++, at)) + 526336;
                        break;
                    default:
                        target = (long) byteAt(position++, at) << 24 | (long) byteAt(position++, at) << 16
                                | (long) byteAt(position++, at) << 8 | byteAt(position++, at);
                        break;
                }
                int afterPointer = position;
                long absolute = base + target;
                if (absolute >= end) {
                    throw damage(at, "pointer to offset " + target + ", past the end of the " + section);
                }
                int targetAt = (int) absolute;
                Object value = decodedTargets.get(targetAt);
                if (value != null) {
                    next = afterPointer;
                    return value;
                }
                if (targetsInProgress.get(targetAt)) {
                    throw damage(at, "pointer to offset " + target + ", which contains this pointer (a cycle)");
                }
                targetsInProgress.set(targetAt);
                try {
                    value = decode(targetAt, depth, false);
                } finally {
                    targetsInProgress.clear(targetAt);
                }
                decodedTargets.put(targetAt, value);
                next = afterPointer;
                return value;
            }
            long size = control & 0x1f;
            if (size >= 29) {
                int extra = (int) size - 28;
                long value = 0;
                for (int i = 0; i < extra; i++) {
                    value = value << 8 | byteAt(position++, at);
                }
                size = size == 29 ? 29 + value : size == 30 ? 285 + value : 65821 + value;
            }
            switch (type) {
                case MAP: {
                    Map<String, Object> map = new HashMap<>();
                    for (long i = 0; i < size; i++) {
                        int keyAt = position;
                        Object key = decodeNested(keyAt, depth);
                        position = next;
                        if (!(key instanceof String name)) {
                            throw damage(keyAt, "map key is not a string");
                        }
                        Object value = decodeNested(position, depth);
                        position = next;
                        map.put(name, value);
                    }
                    next = position;
                    return map;
                }
                case ARRAY: {
                    for (long i = 0; i < size; i++) {
                        decodeNested(position, depth);
                        position = next;
                    }
                    next = position;
                    return Placeholder.ARRAY;
                }
                case UTF8_STRING: {
                    int payload = payload(position, size, at);
                    next = position + payload;
                    try {
                        // Strict, as MaxMind's reader decodes: a malformed string would fail lookups.
                        return utf8.decode(ByteBuffer.wrap(file, position, payload)).toString();
                    } catch (CharacterCodingException e) {
                        throw damage(at, "a string that is not valid UTF-8");
                    }
                }
                case BYTES:
                    next = position + payload(position, size, at);
                    return Placeholder.BYTES;
                case DOUBLE:
                    return fixed(at, position, size, 8, 8, "double");
                case FLOAT:
                    return fixed(at, position, size, 4, 4, "float");
                case UINT16:
                case UINT32:
                case UINT64: {
                    int max = type == UINT16 ? 2 : type == UINT32 ? 4 : 8;
                    if (size > max) {
                        throw damage(at, "an unsigned integer of " + size + " bytes (at most " + max + ")");
                    }
                    payload(position, size, at);
                    long value = 0;
                    for (int i = 0; i < size; i++) {
                        value = value << 8 | (file[position + i] & 0xff);
                    }
                    next = position + (int) size;
                    return type == UINT64 && value < 0 ? Placeholder.NUMBER : (Object) value;
                }
                case INT32:
                case UINT128: {
                    int max = type == INT32 ? 4 : 16;
                    if (size > max) {
                        throw damage(at, "an integer of " + size + " bytes (at most " + max + ")");
                    }
                    next = position + payload(position, size, at);
                    return Placeholder.NUMBER;
                }
                case BOOLEAN:
                    if (size > 1) {
                        throw damage(at, "a boolean of value " + size + " (expected: 0 or 1)");
                    }
                    next = position;
                    return Placeholder.BOOLEAN;
                default:
                    throw damage(at, "type " + type + " is not allowed in data");
            }
        }

        private Object decodeNested(int at, int[] depth) throws Damage {
            if (++depth[0] > MAX_DEPTH) {
                throw damage(at, "values nested deeper than " + MAX_DEPTH);
            }
            try {
                return decode(at, depth, true);
            } finally {
                depth[0]--;
            }
        }

        private Object fixed(int at, int position, long size, int min, int max, String name) throws Damage {
            if (size < min || size > max) {
                throw damage(at, "a " + name + " of " + size + " bytes (expected: " + max + ")");
            }
            next = position + payload(position, size, at);
            return Placeholder.NUMBER;
        }

        /** Checks that {@code size} bytes from {@code position} lie inside the section. */
        private int payload(int position, long size, int at) throws Damage {
            if (size > end - position) {
                throw damage(at, "a value of " + size + " bytes runs past the end of the " + section);
            }
            return (int) size;
        }

        private int byteAt(int position, int at) throws Damage {
            if (position >= end) {
                throw damage(at, "a value runs past the end of the " + section);
            }
            return file[position] & 0xff;
        }
    }

    /** Decoded values the checks never read. */
    private enum Placeholder {
        ARRAY, BYTES, NUMBER, BOOLEAN
    }
}
