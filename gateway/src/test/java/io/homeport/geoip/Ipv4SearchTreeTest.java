package io.homeport.geoip;

import static org.assertj.core.api.Assertions.assertThat;

import com.maxmind.db.Metadata;
import com.maxmind.db.Reader;
import io.homeport.routing.CountryLookup;
import io.homeport.routing.IpAddresses;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The allocation-free IPv4 tree walk against the MaxMind reader, on every fixture database and the
 * world database: same answer for random addresses, and the prefix the walk matched is the network
 * the reader reports. These databases all have 24-bit records, so the 28- and 32-bit layouts are
 * checked by re-encoding their trees (as the MaxMind DB format lays them out) and walking both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Ipv4SearchTreeTest {

    private final List<GeoIpDatabase> opened = new ArrayList<>();

    @AfterAll
    void closeAll() {
        opened.forEach(GeoIpDatabase::close);
    }

    static Stream<Path> databases() {
        return Stream.of(GeoIpFixtures.GEOLITE2_COUNTRY, GeoIpFixtures.GEOIP2_CITY, GeoIpFixtures.GEOIP2_ENTERPRISE,
                GeoIpFixtures.COUNTRY_CODE, GeoIpFixtures.worldDb());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theWalkAgreesWithTheReader(Path file) throws Exception {
        GeoIpDatabase database = GeoIpDatabase.open(file);
        opened.add(database);
        assertThat(database.walkIpv4(0x08080808)).as("the walker handles %s", file).isNotNull();
        SplittableRandom random = new SplittableRandom(7);
        int found = 0;
        for (int i = 0; i < 200_000; i++) {
            // Mostly random, some near the fixtures' few networks (they cover little of the space).
            int address = i % 4 == 0 ? 0x01020400 | random.nextInt(1 << 10) : random.nextInt();
            if (i % 4 == 1) {
                address = 0x51020000 | random.nextInt(1 << 16);
            }
            String what = IpAddresses.toText(IpAddresses.ipv4(address)) + " in " + file.getFileName();
            assertThat(database.lookupIpv4(address)).as(what).isEqualTo(database.readIpv4(address));
            long walked = database.walkIpv4(address);
            assertThat(walked).as(what).isNotEqualTo(Ipv4SearchTree.INVALID);
            if (walked != Ipv4SearchTree.NO_RECORD && i % 16 == 0) {
                CountryLookup full = database.lookup(IpAddresses.ipv4(address));
                int prefix = (int) (walked & 63);
                assertThat(full.network()).as(what).isNotNull().endsWith("/" + prefix);
                found++;
            }
        }
        assertThat(found).isPositive();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void twentyEightAndThirtyTwoBitRecordsWalkAsTwentyFourBitOnes(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        Metadata metadata;
        try (Reader reader = new Reader(file.toFile())) {
            metadata = reader.getMetadata();
        }
        assertThat(metadata.recordSize()).isEqualTo(24);
        Ipv4SearchTree original = Ipv4SearchTree.of(bytes, metadata);
        Ipv4SearchTree wide = Ipv4SearchTree.of(reencode(bytes, metadata.nodeCount(), 28), withRecordSize(metadata, 28));
        Ipv4SearchTree widest = Ipv4SearchTree.of(reencode(bytes, metadata.nodeCount(), 32), withRecordSize(metadata, 32));
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 200_000; i++) {
            int address = random.nextInt();
            long expected = original.lookup(address);
            assertThat(wide.lookup(address)).isEqualTo(expected);
            assertThat(widest.lookup(address)).isEqualTo(expected);
        }
    }

    private static Metadata withRecordSize(Metadata metadata, int recordSize) {
        return new Metadata(metadata.binaryFormatMajorVersion(), metadata.binaryFormatMinorVersion(), metadata.buildEpoch(),
                metadata.databaseType(), metadata.languages(), metadata.description(), metadata.ipVersion(),
                metadata.nodeCount(), recordSize);
    }

    /** The 24-bit tree of {@code bytes} laid out with {@code recordSize}-bit records, then 16 zero bytes. */
    private static byte[] reencode(byte[] bytes, long nodeCount, int recordSize) {
        int nodes = (int) nodeCount;
        byte[] out = new byte[nodes * recordSize / 4 + 16];
        for (int node = 0; node < nodes; node++) {
            long left = read24(bytes, node * 6);
            long right = read24(bytes, node * 6 + 3);
            if (recordSize == 28) {
                int base = node * 7;
                write24(out, base, left);
                out[base + 3] = (byte) ((left >>> 24 & 0x0f) << 4 | (right >>> 24 & 0x0f));
                write24(out, base + 4, right);
            } else {
                int base = node * 8;
                ByteBuffer.wrap(out, base, 8).putInt((int) left).putInt((int) right);
            }
        }
        return out;
    }

    private static long read24(byte[] bytes, int at) {
        return (bytes[at] & 0xffL) << 16 | (bytes[at + 1] & 0xffL) << 8 | (bytes[at + 2] & 0xffL);
    }

    private static void write24(byte[] out, int at, long value) {
        out[at] = (byte) (value >>> 16);
        out[at + 1] = (byte) (value >>> 8);
        out[at + 2] = (byte) value;
    }
}
