package io.homeport.geoip;

import static org.assertj.core.api.Assertions.assertThat;

import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.Networks;
import com.maxmind.db.Reader;
import io.homeport.routing.CountryLookup;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Damage generated from the fixtures. What the verifier promises: a damaged file is refused, or it
 * answers exactly as the undamaged one for every network in it, or - the one thing no check of the
 * file alone can see - the damage rewrote a well-formed value into another well-formed one: a letter
 * of a country code ("CN" to "CO") or a leaf of the tree (one network's record now another
 * record). Such a file is a valid database with other content, like a weekly update; the reload
 * canary and {@code homeport diff} are what catch it. It never fails a lookup.
 */
class MmdbDamageTest {

    private static final Map<Path, Original> ORIGINALS = new ConcurrentHashMap<>();
    private static final Map<String, Integer> OUTCOMES = new ConcurrentHashMap<>();

    /** An undamaged fixture: its bytes, layout, and the answer for the first address of each network. */
    record Original(Path file, byte[] bytes, long nodeCount, int treeSize, List<InetAddress> addresses,
            List<CountryLookup> answers) {

        static Original of(Path file) {
            try {
                byte[] bytes = Files.readAllBytes(file);
                long nodeCount = MmdbVerifier.verify(bytes).nodeCount();
                List<InetAddress> addresses = new ArrayList<>();
                try (Reader reader = new Reader(new ByteArrayInputStream(bytes))) {
                    Networks<Map> networks = reader.networks(Map.class);
                    while (networks.hasNext()) {
                        DatabaseRecord<Map> record = networks.next();
                        addresses.add(record.network().networkAddress());
                    }
                }
                GeoIpDatabase database = GeoIpDatabase.open(file);
                return new Original(file, bytes, nodeCount, (int) nodeCount * 6, addresses, MmdbDamageTest.answers(database, addresses));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static List<CountryLookup> answers(GeoIpDatabase database, List<InetAddress> addresses) {
        List<CountryLookup> answers = new ArrayList<>();
        for (InetAddress address : addresses) {
            answers.add(database.lookup(address));
            if (address instanceof Inet4Address v4) {
                // The gateway's hot path walks the tree itself: it must agree too.
                int bits = java.nio.ByteBuffer.wrap(v4.getAddress()).getInt();
                CountryLookup fast = database.lookupIpv4(bits);
                answers.add(new CountryLookup(fast.country(), fast.outcome(), null));
            }
        }
        return answers;
    }

    enum Kind { TRUNCATE, FLIP_BIT, OVERWRITE_BYTE, ZERO_RUN, COPY_RUN }

    record Damage(Kind kind, double where, int value, int length) {

        byte[] apply(byte[] original) {
            if (original.length == 0) {
                return original;
            }
            byte[] damaged = original.clone();
            int at = Math.min(original.length - 1, (int) (where * original.length));
            switch (kind) {
                case TRUNCATE:
                    return Arrays.copyOf(original, at);
                case FLIP_BIT:
                    damaged[at] ^= (byte) (1 << (value & 7));
                    return damaged;
                case OVERWRITE_BYTE:
                    damaged[at] = (byte) (value == (original[at] & 0xff) ? value + 1 : value);
                    return damaged;
                case ZERO_RUN:
                    Arrays.fill(damaged, at, Math.min(original.length, at + length), (byte) 0);
                    return damaged;
                default:
                    int from = (int) ((long) value * original.length / 256);
                    int run = Math.min(length, Math.min(original.length - at, original.length - from));
                    System.arraycopy(original, from, damaged, at, run);
                    return damaged;
            }
        }
    }

    @Provide
    Arbitrary<Path> fixtures() {
        return Arbitraries.of(GeoIpFixtures.GEOLITE2_COUNTRY, GeoIpFixtures.GEOIP2_CITY, GeoIpFixtures.COUNTRY_CODE);
    }

    @Provide
    Arbitrary<Damage> damage() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(1, 64)).as(Damage::new);
    }

    @Property(tries = 3000, seed = "20261203")
    void damagedFilesAreRefusedOrAnswerAsBeforeOrAreAnotherWellFormedDatabase(@ForAll("fixtures") Path fixture,
            @ForAll("damage") Damage damage, @ForAll("damage") Damage more) throws Exception {
        Original original = ORIGINALS.computeIfAbsent(fixture, Original::of);
        byte[] damaged = more.apply(damage.apply(original.bytes));
        if (Arrays.equals(damaged, original.bytes)) {
            return;
        }
        assertThat(judge(original, damaged, damage + " then " + more)).isNotNull();
    }

    /** Every single-bit flip of every byte of one fixture: the exhaustive version of the property. */
    @org.junit.jupiter.api.Test
    void everySingleBitFlipIsRefusedOrHarmlessOrAnotherWellFormedDatabase() throws Exception {
        Original original = ORIGINALS.computeIfAbsent(GeoIpFixtures.GEOLITE2_COUNTRY, Original::of);
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (int at = 0; at < original.bytes.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] damaged = original.bytes.clone();
                damaged[at] ^= (byte) (1 << bit);
                outcomes.merge(judge(original, damaged, "bit " + bit + " of byte " + at), 1, Integer::sum);
            }
        }
        System.out.println("single-bit flips of " + original.file.getFileName() + ": " + outcomes);
        // Nearly all damage is refused; the well-formed rewrites are a few per cent at most.
        int total = original.bytes.length * 8;
        assertThat(outcomes.getOrDefault("refused", 0)).isGreaterThan(total / 2);
        assertThat(outcomes.getOrDefault("another well-formed database", 0)).isLessThan(total / 20);
    }

    /**
     * "refused", "same answers" or "another well-formed database"; fails the test for anything
     * else: an accepted file that fails a lookup, or answers differently for a reason other
     * than a rewritten country code or tree leaf.
     */
    private static String judge(Original original, byte[] damaged, String what) throws IOException {
        try {
            MmdbVerifier.verify(damaged);
        } catch (MmdbVerifier.Damage refused) {
            assertThat(refused.getMessage()).as(what).isNotBlank().doesNotContain("null");
            return count("refused");
        }
        Path file = Files.createTempFile("damaged", ".mmdb");
        try {
            Files.write(file, damaged);
            List<CountryLookup> answers;
            long errorsBefore = LookupErrors.total();
            try (GeoIpDatabase database = GeoIpDatabase.open(file)) {
                answers = answers(database, original.addresses);
            } catch (InvalidGeoIpDatabaseException refused) {
                // Well-formed, but not a database the gateway serves (say database_type "GeoLite2-Bountry").
                assertThat(refused.getMessage()).as(what).startsWith(file + ": ").doesNotContain("null");
                return count("refused");
            }
            for (CountryLookup answer : answers) {
                assertThat(answer.outcome()).as(what + ": an accepted file must never fail a lookup")
                        .isNotEqualTo(CountryLookup.Outcome.FAILED);
            }
            assertThat(LookupErrors.total()).as(what).isEqualTo(errorsBefore);
            if (answers.equals(original.answers)) {
                return count("same answers");
            }
            for (int at = 0; at < damaged.length; at++) {
                if (damaged[at] != original.bytes[at] && !wellFormedRewrite(original, damaged, at)) {
                    throw new AssertionError(what + ": accepted, answers changed, and byte " + at
                            + " is neither a letter of a string nor a tree leaf");
                }
            }
            return count("another well-formed database");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Byte {@code at} is a letter that became another letter, or part of a tree record that was and is a leaf. */
    private static boolean wellFormedRewrite(Original original, byte[] damaged, int at) {
        if (at < original.treeSize) {
            int record = at / 3 * 3; // 24-bit records: three bytes each
            return value(original.bytes, record) >= original.nodeCount && value(damaged, record) >= original.nodeCount;
        }
        // Inside a string (a country code, or a key of a database that is not MaxMind's): a letter
        // for a letter. MaxMind's schema pins its keys, so there only country-code letters remain.
        return isLetter(damaged[at]) && isLetter(original.bytes[at]);
    }

    private static boolean isLetter(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '_';
    }

    private static long value(byte[] bytes, int at) {
        return (bytes[at] & 0xffL) << 16 | (bytes[at + 1] & 0xff) << 8 | bytes[at + 2] & 0xff;
    }

    private static String count(String outcome) {
        OUTCOMES.merge(outcome, 1, Integer::sum);
        return outcome;
    }

    @AfterContainer
    static void report() {
        System.out.println("damage outcomes: " + OUTCOMES);
    }

    static {
        if (!Files.isRegularFile(GeoIpFixtures.GEOLITE2_COUNTRY)) {
            throw new UncheckedIOException(new IOException("fixture missing: " + GeoIpFixtures.GEOLITE2_COUNTRY));
        }
    }
}
