package io.homeport.geoip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes tiny MaxMind DB files byte by byte, for the verifier's tests: the shapes no real writer
 * makes (a pointer cycle, a pointer to a pointer, a tree that loops), next to a well-formed one
 * that both the verifier and MaxMind's reader must accept. Also finds and patches values in real
 * fixtures (the metadata's {@code node_count}).
 */
final class MmdbBytes {

    private MmdbBytes() {}

    /** An encoded value: its bytes, written as they are. */
    record Raw(byte[] bytes) {}

    /** A pointer to {@code target} in the data section, with the two-byte encoding. */
    static Raw pointer(int target) {
        if (target >= 2048) {
            throw new IllegalArgumentException("target " + target);
        }
        return new Raw(new byte[] {(byte) (0x20 | target >>> 8), (byte) target});
    }

    static byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, value);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, Object value) {
        if (value instanceof Raw raw) {
            out.writeBytes(raw.bytes());
        } else if (value instanceof String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            control(out, 2, bytes.length);
            out.writeBytes(bytes);
        } else if (value instanceof Integer number) {
            unsigned(out, 6, number); // uint32
        } else if (value instanceof Long number) {
            unsigned(out, 9, number); // uint64
        } else if (value instanceof Map<?, ?> map) {
            control(out, 7, map.size());
            map.forEach((key, item) -> {
                write(out, key);
                write(out, item);
            });
        } else if (value instanceof List<?> list) {
            control(out, 11, list.size());
            list.forEach(item -> write(out, item));
        } else {
            throw new IllegalArgumentException("cannot encode " + value);
        }
    }

    private static void unsigned(ByteArrayOutputStream out, int type, long number) {
        int size = (64 - Long.numberOfLeadingZeros(number) + 7) / 8;
        control(out, type, size);
        for (int i = size - 1; i >= 0; i--) {
            out.write((int) (number >>> (8 * i)));
        }
    }

    private static void control(ByteArrayOutputStream out, int type, int size) {
        if (size >= 29) {
            throw new IllegalArgumentException("size " + size);
        }
        if (type <= 7) {
            out.write(type << 5 | size);
        } else {
            out.write(size);
            out.write(type - 7);
        }
    }

    /**
     * An IPv4 database of 24-bit records: {@code records} are the tree's (two per node, as raw
     * record values), then the separator, {@code data} and the metadata.
     */
    static byte[] database(long[] records, byte[] data) {
        return database(records, data, 4, "Homeport-Verifier-Test");
    }

    /** {@link #database(long[], byte[])} with the IP version and database type given. */
    static byte[] database(long[] records, byte[] data, int ipVersion, String databaseType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long record : records) {
            out.write((int) (record >>> 16));
            out.write((int) (record >>> 8));
            out.write((int) record);
        }
        out.writeBytes(new byte[16]);
        out.writeBytes(data);
        out.writeBytes(MmdbVerifier.METADATA_MARKER);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("binary_format_major_version", 2);
        metadata.put("binary_format_minor_version", 0);
        metadata.put("build_epoch", 1_781_740_800L);
        metadata.put("database_type", databaseType);
        metadata.put("description", Map.of("en", "verifier test"));
        metadata.put("ip_version", ipVersion);
        metadata.put("languages", List.of("en"));
        metadata.put("node_count", records.length / 2);
        metadata.put("record_size", 24);
        out.writeBytes(encode(metadata));
        return out.toByteArray();
    }

    /** One node: 0.0.0.0/1 has the data record at offset 0 of {@code data}, 128.0.0.0/1 nothing. */
    static byte[] oneRecord(byte[] data) {
        return database(new long[] {1 + 16, 1}, data);
    }

    /** The offset of the metadata's {@code node_count} value (a uint32 control byte), in a real file. */
    static int nodeCountValue(byte[] file) {
        int marker = lastIndexOf(file, MmdbVerifier.METADATA_MARKER);
        byte[] key = encode("node_count");
        int at = indexOf(file, key, marker);
        return at + key.length;
    }

    /** {@code file} with the uint32 at {@code at} (a control byte and its bytes) set to {@code value}, same size. */
    static byte[] withUint32(byte[] file, int at, long value) {
        byte[] copy = file.clone();
        int size = copy[at] & 0x1f;
        for (int i = 0; i < size; i++) {
            copy[at + 1 + i] = (byte) (value >>> (8 * (size - 1 - i)));
        }
        return copy;
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        for (int i = from; i <= haystack.length - needle.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    static int lastIndexOf(byte[] haystack, byte[] needle) {
        for (int i = haystack.length - needle.length; i >= 0; i--) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
