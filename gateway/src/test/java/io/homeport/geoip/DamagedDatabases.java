package io.homeport.geoip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Damaged databases made from a fixture, one of each kind, with the place the refusal must name:
 * for the gateway's tests of validate, start-up and reload.
 */
public final class DamagedDatabases {

    /** A damaged file's bytes and the words its refusal must contain. */
    public record Damaged(byte[] bytes, String place) {}

    private DamagedDatabases() {}

    public static Map<String, Damaged> of(Path fixture) throws IOException, MmdbVerifier.Damage {
        byte[] whole = Files.readAllBytes(fixture);
        long nodeCount = MmdbVerifier.verify(whole).nodeCount();
        Map<String, Damaged> damaged = new LinkedHashMap<>();
        damaged.put("truncated in the tree", new Damaged(Arrays.copyOf(whole, 3000), "no metadata marker"));
        damaged.put("truncated in the metadata", new Damaged(Arrays.copyOf(whole, whole.length - 20), "metadata"));
        damaged.put("node count off by one", new Damaged(
                MmdbBytes.withUint32(whole, MmdbBytes.nodeCountValue(whole), nodeCount - 1), "data section separator"));
        byte[] pastTheEnd = whole.clone();
        int record = firstDataRecord(whole, nodeCount);
        pastTheEnd[record] = (byte) 0xf0;
        damaged.put("tree record past the data section", new Damaged(pastTheEnd, "points past the data section"));
        byte[] flippedData = whole.clone();
        flippedData[(int) nodeCount * 6 + 16] ^= 0x40; // the first record's control byte: a map no more
        damaged.put("flipped byte in the data section", new Damaged(flippedData, "data section offset"));
        damaged.put("pointer cycle", new Damaged(MmdbBytes.oneRecord(MmdbBytes.encode(Map.of("country", MmdbBytes.pointer(0)))),
                "data section offset 9: pointer to offset 0, which contains this pointer (a cycle)"));
        return damaged;
    }

    private static int firstDataRecord(byte[] file, long nodeCount) {
        for (int at = 0; at < nodeCount * 6; at += 3) {
            long value = (file[at] & 0xffL) << 16 | (file[at + 1] & 0xff) << 8 | file[at + 2] & 0xff;
            if (value > nodeCount) {
                return at;
            }
        }
        throw new IllegalStateException("no record points at data");
    }
}
