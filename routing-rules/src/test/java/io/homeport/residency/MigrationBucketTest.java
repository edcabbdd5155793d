package io.homeport.residency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.homeport.routing.IpAddresses;
import java.net.InetAddress;
import java.util.Random;
import java.util.UUID;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MigrationBucketTest {

    static final int IDS = 100_000;

    /** Seeded, so that a failure reproduces. */
    private static IntFunction<String> idSource(String kind) {
        Random random = new Random(20250101L);
        return switch (kind) {
            case "random" -> i -> "u-" + Long.toUnsignedString(random.nextLong());
            case "uuid" -> i -> new UUID(random.nextLong(), random.nextLong()).toString();
            // Real id schemes are often sequential; the hash must spread them just as well.
            case "sequential" -> i -> "u-" + i;
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest(name = "{0} ids at {1}%")
    @CsvSource({
        "random, 10", "random, 25", "random, 50",
        "uuid, 10", "uuid, 25", "uuid, 50",
        "sequential, 10", "sequential, 25", "sequential, 50"})
    void sharesAreWithinOnePercentagePointOfTarget(String kind, int percent) {
        IntFunction<String> ids = idSource(kind);
        int basisPoints = percent * 100;
        int moved = 0;
        for (int i = 0; i < IDS; i++) {
            if (MigrationBucket.of(ids.apply(i)) < basisPoints) {
                moved++;
            }
        }
        double share = 100.0 * moved / IDS;
        assertThat(share).isCloseTo(percent, within(1.0));
    }

    @Test
    void bucketsOfAddressesAreSpreadToo() {
        Random random = new Random(7);
        int moved = 0;
        for (int i = 0; i < IDS; i++) {
            byte[] address = new byte[4];
            random.nextBytes(address);
            if (MigrationBucket.of(inet(address)) < 2_500) {
                moved++;
            }
        }
        assertThat(100.0 * moved / IDS).isCloseTo(25.0, within(1.0));
    }

    @Test
    void bucketsNeverChangeBetweenReleases() {
        // Pinned values: a different hash would silently move users between regions. They match
        // an independent implementation of the documented FNV-1a + MurmurHash3 fmix64 (see below).
        assertThat(MigrationBucket.of("u-1001")).isEqualTo(8489);
        assertThat(MigrationBucket.of("u-2002")).isEqualTo(5692);
        assertThat(MigrationBucket.of("alice@example.com")).isEqualTo(3736);
        assertThat(MigrationBucket.of("550e8400-e29b-41d4-a716-446655440000")).isEqualTo(3375);
        assertThat(MigrationBucket.of(address("1.2.3.4"))).isEqualTo(6126);
        assertThat(MigrationBucket.of(address("8.8.8.8"))).isEqualTo(7723);
        assertThat(MigrationBucket.of(address("2001:db8::1"))).isEqualTo(4623);
        assertThat(StableHash.of("u-1001")).isEqualTo(-8439907293329703127L);
    }

    @Test
    void stableHashIsTheDocumentedFunction() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            char[] chars = new char[random.nextInt(40)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = (char) random.nextInt(Character.MAX_VALUE + 1);
            }
            String text = new String(chars);
            assertThat(StableHash.of(text)).as("hash of %s", text).isEqualTo(reference(text));
            assertThat(StableHash.fingerprint(text).stableHash()).as("fingerprint of %s", text).isEqualTo(reference(text));
        }
    }

    @Test
    void aFingerprintsSecondHashTellsApartWhatTheFirstMightNot() {
        // Another kind of hash: close ids, permutations and ids of other lengths differ in it too.
        assertThat(StableHash.fingerprint("acct-00000017").second()).isNotEqualTo(StableHash.fingerprint("acct-00000018").second());
        assertThat(StableHash.fingerprint("ab").second()).isNotEqualTo(StableHash.fingerprint("ba").second());
        assertThat(StableHash.fingerprint("a").second()).isNotEqualTo(StableHash.fingerprint("a\0").second());
        java.util.Set<Integer> seconds = new java.util.HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            seconds.add(StableHash.fingerprint("acct-" + i).second());
        }
        assertThat(seconds).as("32 bits: a few collisions in 100,000 at most").hasSizeGreaterThan(99_990);
    }

    /** FNV-1a 64 over UTF-16 code units, then MurmurHash3's fmix64, written independently of StableHash. */
    private static long reference(String text) {
        long h = 0xcbf29ce484222325L;
        for (char c : text.toCharArray()) {
            h = (h ^ c) * 0x100000001b3L;
        }
        h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    @Test
    void addressBucketsAreDeterministicAcrossSpellings() {
        // The bucket is of the address bytes, however the address was written.
        assertThat(MigrationBucket.of(address("::ffff:1.2.3.4"))).isEqualTo(MigrationBucket.of(address("1.2.3.4")));
        assertThat(MigrationBucket.of(address("2001:0db8:0:0:0:0:0:1")))
                .isEqualTo(MigrationBucket.of(address("[2001:db8::1]")));
        assertThat(MigrationBucket.of(address("1.2.3.4"))).isEqualTo(MigrationBucket.of(address("1.2.3.4")));
    }

    private static InetAddress address(String literal) {
        return IpAddresses.parseLiteral(literal).orElseThrow();
    }

    private static InetAddress inet(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
