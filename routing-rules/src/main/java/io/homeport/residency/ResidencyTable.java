package io.homeport.residency;

import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.Problem;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Per-user home-region pins, held compactly: ids sorted by a 64-bit hash, their bytes packed in
 * one array, and one byte per user for the region. About 13 bytes plus the id's length per user,
 * so a million pins take tens of megabytes, not hundreds. Lookups compare the id itself after the
 * hash matches, so a hash collision can never pin the wrong user.
 */
public final class ResidencyTable {

    /** User ids are printable ASCII (no spaces or commas), so one char is one byte. */
    public static final int MAX_ID_LENGTH = 128;

    private static final int MAX_PROBLEMS = 100;

    public static final ResidencyTable EMPTY =
            new ResidencyTable(new long[0], new int[] {0}, new byte[0], new byte[0], List.of());

    private final long[] hashes;
    private final int[] offsets;
    private final byte[] idBytes;
    private final byte[] regionIndexes;
    private final List<String> regionNames;
    /**
     * One bit per slot, set for the slot of every pinned id's hash (its top bits): about 8 bits per
     * pin, so an id that is not pinned is usually turned away by one bit test instead of a binary
     * search. A set bit proves nothing; the search and the id comparison decide.
     */
    private final long[] filter;
    private final int filterShift;

    private ResidencyTable(long[] hashes, int[] offsets, byte[] idBytes, byte[] regionIndexes, List<String> regionNames) {
        this.hashes = hashes;
        this.offsets = offsets;
        this.idBytes = idBytes;
        this.regionIndexes = regionIndexes;
        this.regionNames = regionNames;
        int log = Math.min(30, 64 - Long.numberOfLeadingZeros(Math.max(64L, hashes.length * 8L) - 1));
        this.filter = new long[1 << (log - 6)];
        this.filterShift = 64 - log;
        for (long hash : hashes) {
            int bit = (int) (hash >>> filterShift);
            filter[bit >>> 6] |= 1L << bit;
        }
    }

    public int size() {
        return hashes.length;
    }

    /** The region {@code userId} is pinned to, or null. Allocation-free. */
    public String regionOf(CharSequence userId) {
        return userId == null ? null : regionOf(userId, StableHash.of(userId));
    }

    /** {@link #regionOf(CharSequence)} when the caller already has the id's {@link StableHash}. */
    public String regionOf(CharSequence userId, long hash) {
        int index = regionIndexOf(userId, hash);
        return index < 0 ? null : regionNames.get(index);
    }

    /**
     * The index in {@link #regions()} of the region {@code userId} is pinned to, or -1; the caller
     * already has the id's {@link StableHash}. Allocation-free.
     */
    public int regionIndexOf(CharSequence userId, long hash) {
        if (hashes.length == 0 || userId == null || userId.length() == 0 || userId.length() > MAX_ID_LENGTH) {
            return -1;
        }
        int bit = (int) (hash >>> filterShift);
        if ((filter[bit >>> 6] & 1L << bit) == 0) {
            return -1;
        }
        int index = Arrays.binarySearch(hashes, hash);
        if (index < 0) {
            return -1;
        }
        while (index > 0 && hashes[index - 1] == hash) {
            index--;
        }
        for (; index < hashes.length && hashes[index] == hash; index++) {
            if (idEquals(index, userId)) {
                return regionIndexes[index];
            }
        }
        return -1;
    }

    /**
     * The region of the user whose id has {@link StableHash} {@code hash}, or null: for a traffic
     * sample that keeps hashes, not ids. Two ids with one 64-bit hash are so rare (about one pair in
     * 10^10 among ten million pins) that the first pin of the hash is taken.
     */
    public String regionOfHash(long hash) {
        int index = Arrays.binarySearch(hashes, hash);
        if (index < 0) {
            return null;
        }
        while (index > 0 && hashes[index - 1] == hash) {
            index--;
        }
        return regionNames.get(regionIndexes[index]);
    }

    /** How many users are pinned to {@code region}. */
    public int countPinnedTo(String region) {
        int index = regionNames.indexOf(region);
        int count = 0;
        for (byte pinned : regionIndexes) {
            count += pinned == index ? 1 : 0;
        }
        return index < 0 ? 0 : count;
    }

    /** The region names that {@link #regionIndexOf} indexes. */
    public List<String> regions() {
        return regionNames;
    }

    public Optional<String> pinOf(CharSequence userId) {
        return Optional.ofNullable(regionOf(userId));
    }

    /** Every pin, as (user id, region): for comparing two tables offline ({@code homeport diff}), not per request. */
    public void forEach(java.util.function.BiConsumer<String, String> pin) {
        for (int index = 0; index < hashes.length; index++) {
            int start = offsets[index];
            pin.accept(new String(idBytes, start, offsets[index + 1] - start, java.nio.charset.StandardCharsets.US_ASCII),
                    regionNames.get(regionIndexes[index]));
        }
    }

    private boolean idEquals(int index, CharSequence userId) {
        int start = offsets[index];
        int length = offsets[index + 1] - start;
        if (length != userId.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (idBytes[start + i] != userId.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Loads {@code user_id,region} rows. A header row {@code user_id,region}, blank lines and
     * {@code #} comments are allowed. Any bad row refuses the whole file, with every bad row's
     * line number (up to a hundred of them).
     *
     * @param displayName how the file is named in problems
     * @param regions the regions the rules define
     */
    public static ResidencyTable load(Path file, String displayName, List<String> regions)
            throws IOException, InvalidRulesException {
        List<Problem> problems = new ArrayList<>();
        Builder builder = new Builder(regions);
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null && problems.size() < MAX_PROBLEMS) {
                lineNumber++;
                String row = (lineNumber == 1 && line.startsWith("\uFEFF") ? line.substring(1) : line).strip();
                if (row.isEmpty() || row.startsWith("#") || (lineNumber == 1 && row.equals("user_id,region"))) {
                    continue;
                }
                String problem = builder.add(row, lineNumber);
                if (problem != null) {
                    problems.add(new Problem(displayName, lineNumber, 1, problem));
                }
            }
        }
        // Duplicates are found while building, so they are reported together with bad rows.
        ResidencyTable table = builder.build(problems, displayName);
        if (problems.isEmpty()) {
            return table;
        }
        problems.sort(null);
        throw new InvalidRulesException(problems);
    }

    /** Accumulates rows in flat arrays, then sorts them by hash in place. */
    private static final class Builder {
        private final List<String> regions;
        private long[] hashes = new long[1024];
        private int[] lines = new int[1024];
        private int[] starts = new int[1024];
        private byte[] regionIndexes = new byte[1024];
        private byte[] bytes = new byte[16 * 1024];
        private int count;
        private int byteCount;

        Builder(List<String> regions) {
            if (regions.size() > Byte.MAX_VALUE) {
                throw new IllegalArgumentException("regions: " + regions.size() + " (expected: at most 127)");
            }
            this.regions = regions;
        }

        String add(String row, int line) {
            int comma = row.indexOf(',');
            if (comma < 0 || row.indexOf(',', comma + 1) >= 0) {
                return "expected \"user_id,region\", found \"" + abbreviate(row) + "\"";
            }
            String id = row.substring(0, comma).strip();
            String region = row.substring(comma + 1).strip();
            String idProblem = checkId(id);
            if (idProblem != null) {
                return idProblem;
            }
            int regionIndex = regions.indexOf(region);
            if (regionIndex < 0) {
                return "unknown region \"" + abbreviate(region) + "\" for user \"" + id + "\" (expected one of " + regions + ")";
            }
            ensureCapacity(id.length());
            hashes[count] = StableHash.of(id);
            lines[count] = line;
            starts[count] = byteCount;
            regionIndexes[count] = (byte) regionIndex;
            for (int i = 0; i < id.length(); i++) {
                bytes[byteCount++] = (byte) id.charAt(i);
            }
            count++;
            return null;
        }

        ResidencyTable build(List<Problem> problems, String displayName) {
            int[] order = new int[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            sortByHash(order, 0, count - 1);
            long[] sortedHashes = new long[count];
            int[] offsets = new int[count + 1];
            byte[] sortedRegions = new byte[count];
            byte[] packed = new byte[byteCount];
            int position = 0;
            for (int i = 0; i < count; i++) {
                int row = order[i];
                int length = lengthOf(row);
                sortedHashes[i] = hashes[row];
                sortedRegions[i] = regionIndexes[row];
                offsets[i] = position;
                System.arraycopy(bytes, starts[row], packed, position, length);
                position += length;
                if (i > 0 && sortedHashes[i - 1] == sortedHashes[i]) {
                    int first = findDuplicate(order, i, row, length);
                    if (first >= 0 && problems.size() < MAX_PROBLEMS) {
                        problems.add(new Problem(displayName, Math.max(lines[first], lines[row]), 1,
                                "duplicate user id \"" + new String(bytes, starts[row], length, StandardCharsets.US_ASCII)
                                        + "\" (first on line " + Math.min(lines[first], lines[row]) + ")"));
                    }
                }
            }
            offsets[count] = position;
            return new ResidencyTable(sortedHashes, offsets, packed, sortedRegions, List.copyOf(regions));
        }

        private int findDuplicate(int[] order, int i, int row, int length) {
            for (int j = i - 1; j >= 0 && hashes[order[j]] == hashes[row]; j--) {
                int other = order[j];
                if (lengthOf(other) == length
                        && Arrays.equals(bytes, starts[other], starts[other] + length, bytes, starts[row], starts[row] + length)) {
                    return other;
                }
            }
            return -1;
        }

        private int lengthOf(int row) {
            return (row + 1 < count ? starts[row + 1] : byteCount) - starts[row];
        }

        private void sortByHash(int[] order, int low, int high) {
            while (low < high) {
                if (high - low < 16) {
                    for (int i = low + 1; i <= high; i++) {
                        int value = order[i];
                        int j = i - 1;
                        while (j >= low && hashes[order[j]] > hashes[value]) {
                            order[j + 1] = order[j];
                            j--;
                        }
                        order[j + 1] = value;
                    }
                    return;
                }
                long pivot = hashes[order[(low + high) >>> 1]];
                int i = low;
                int j = high;
                while (i <= j) {
                    while (hashes[order[i]] < pivot) {
                        i++;
                    }
                    while (hashes[order[j]] > pivot) {
                        j--;
                    }
                    if (i <= j) {
                        int swap = order[i];
                        order[i++] = order[j];
                        order[j--] = swap;
                    }
                }
                // Recurse into the smaller half so the stack stays logarithmic.
                if (j - low < high - i) {
                    sortByHash(order, low, j);
                    low = i;
                } else {
                    sortByHash(order, i, high);
                    high = j;
                }
            }
        }

        private void ensureCapacity(int idLength) {
            if (count == hashes.length) {
                int capacity = hashes.length * 2;
                hashes = Arrays.copyOf(hashes, capacity);
                lines = Arrays.copyOf(lines, capacity);
                starts = Arrays.copyOf(starts, capacity);
                regionIndexes = Arrays.copyOf(regionIndexes, capacity);
            }
            if (byteCount + idLength > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, byteCount + idLength));
            }
        }
    }

    /** Null when {@code id} is a valid user id, else why not. */
    static String checkId(String id) {
        if (id.isEmpty()) {
            return "empty user id";
        }
        if (id.length() > MAX_ID_LENGTH) {
            return "user id of " + id.length() + " characters (expected: at most " + MAX_ID_LENGTH + ")";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return "user id \"" + abbreviate(id) + "\" has a character that is not printable ASCII at position " + (i + 1);
            }
        }
        return null;
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
