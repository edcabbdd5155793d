package io.homeport.geoip;

import static io.homeport.geoip.MmdbBytes.encode;
import static io.homeport.geoip.MmdbBytes.oneRecord;
import static io.homeport.geoip.MmdbBytes.pointer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.demo.DemoGeoIp;
import io.homeport.routing.CountryLookup;
import io.homeport.routing.IpAddresses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole-file check of a MaxMind DB: real files pass, each kind of damage is refused with its place. */
class MmdbVerifierTest {

    static Stream<Path> realDatabases() {
        return Stream.of(GeoIpFixtures.GEOLITE2_COUNTRY, GeoIpFixtures.GEOIP2_CITY, GeoIpFixtures.GEOIP2_ENTERPRISE,
                GeoIpFixtures.COUNTRY_CODE, DemoGeoIp.file());
    }

    @ParameterizedTest
    @MethodSource("realDatabases")
    void acceptsEveryRealDatabase(Path file) throws Exception {
        MmdbVerifier.Summary summary = MmdbVerifier.verify(Files.readAllBytes(file));
        assertThat(summary.ipVersion()).isEqualTo(6);
        assertThat(summary.recordSize()).isEqualTo(24);
        assertThat(summary.nodeCount()).isGreaterThan(1000);
        assertThat(summary.dataRecords()).isBetween(19, 20); // a record a country, and the test databases' one without a country
        assertThat(summary.buildEpoch()).isEqualTo(1_781_740_800L);
    }

    @Test
    void acceptsTheWorldDatabase() throws Exception {
        MmdbVerifier.Summary summary = MmdbVerifier.verify(Files.readAllBytes(GeoIpFixtures.worldDb()));
        assertThat(summary.nodeCount()).isGreaterThan(1_000_000);
        assertThat(summary.dataRecords()).isGreaterThan(200);
    }

    @Test
    void aWellFormedHandWrittenDatabaseIsAcceptedAndReadByMaxMindsReader(@TempDir Path dir) throws Exception {
        byte[] file = oneRecord(encode(Map.of("country", Map.of("iso_code", "CN"))));
        assertThat(MmdbVerifier.verify(file).dataRecords()).isEqualTo(1);
        try (GeoIpDatabase database = GeoIpDatabase.open(Files.write(dir.resolve("ok.mmdb"), file))) {
            assertThat(database.lookup(IpAddresses.ipv4(0x01020304)).country()).isEqualTo("CN");
            assertThat(database.lookupIpv4(0x01020304).country()).isEqualTo("CN");
            assertThat(database.lookup(IpAddresses.ipv4(0x81020304)).outcome()).isEqualTo(CountryLookup.Outcome.NOT_FOUND);
        }
    }

    @Test
    void refusesEveryTruncation() throws Exception {
        byte[] whole = Files.readAllBytes(GeoIpFixtures.GEOLITE2_COUNTRY);
        int refused = 0;
        for (int length = 0; length < whole.length; length += length < whole.length - 400 ? 37 : 1) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertThatThrownBy(() -> MmdbVerifier.verify(cut)).as("truncated to %d bytes", length)
                    .isInstanceOf(MmdbVerifier.Damage.class);
            refused++;
        }
        assertThat(refused).isGreaterThan(500);
    }

    @Test
    void refusesANodeCountThatDoesNotMatchTheTree() throws Exception {
        byte[] whole = Files.readAllBytes(GeoIpFixtures.GEOLITE2_COUNTRY);
        int at = MmdbBytes.nodeCountValue(whole);
        long nodeCount = MmdbVerifier.verify(whole).nodeCount();
        for (long wrong : new long[] {nodeCount - 1, nodeCount + 1, nodeCount - 300, nodeCount + 2, 1}) {
            byte[] damaged = MmdbBytes.withUint32(whole, at, wrong);
            assertThatThrownBy(() -> MmdbVerifier.verify(damaged)).as("node_count %d", wrong)
                    .isInstanceOf(MmdbVerifier.Damage.class)
                    .hasMessageMatching("(search tree|data section|metadata).*");
        }
        byte[] tooMany = MmdbBytes.withUint32(whole, at, 60_000);
        assertThatThrownBy(() -> MmdbVerifier.verify(tooMany))
                .hasMessageContaining("metadata: node_count 60000 with record_size 24 needs a 360000-byte search tree");
    }

    @Test
    void refusesADataPointerPastTheEnd() throws Exception {
        byte[] whole = Files.readAllBytes(GeoIpFixtures.GEOLITE2_COUNTRY);
        long nodeCount = MmdbVerifier.verify(whole).nodeCount();
        // Find the first record that points at data, and point it far past the data section.
        for (int node = 0; node < nodeCount; node++) {
            int at = node * 6 + 3;
            long record = (whole[at] & 0xffL) << 16 | (whole[at + 1] & 0xff) << 8 | whole[at + 2] & 0xff;
            if (record > nodeCount) {
                byte[] damaged = whole.clone();
                damaged[at] = (byte) 0xf0;
                int damagedNode = node;
                assertThatThrownBy(() -> MmdbVerifier.verify(damaged))
                        .hasMessageStartingWith("search tree node " + damagedNode + ": record 1 points past the data section");
                return;
            }
        }
        throw new AssertionError("no record points at data");
    }

    @Test
    void refusesAPointerCycle() {
        byte[] file = oneRecord(encode(Map.of("country", pointer(0))));
        assertThatThrownBy(() -> MmdbVerifier.verify(file))
                .hasMessage("data section offset 9: pointer to offset 0, which contains this pointer (a cycle)");
    }

    @Test
    void refusesAPointerToAPointer() {
        // offset 0: {"x": -> 6}; offset 6: -> 0 (a pointer, which no pointer may point at)
        byte[] data = concat(encode(Map.of("x", pointer(6))), new byte[] {0}, encode(pointer(0)));
        assertThatThrownBy(() -> MmdbVerifier.verify(oneRecord(data))).hasMessageContaining("a pointer to a pointer");
    }

    @Test
    void refusesAPointerPastTheDataSection() {
        byte[] file = oneRecord(encode(Map.of("country", pointer(1500))));
        assertThatThrownBy(() -> MmdbVerifier.verify(file))
                .hasMessage("data section offset 9: pointer to offset 1500, past the end of the data section");
    }

    @Test
    void refusesATreeThatLoops() {
        byte[] file = MmdbBytes.database(new long[] {0, 1}, encode(Map.of()));
        assertThatThrownBy(() -> MmdbVerifier.verify(file))
                .hasMessage("search tree node 0: record 0 points back to node 0 on its own path (a cycle)");
    }

    @Test
    void refusesANodeWithTwoParents() {
        // node 0 -> (1, 2); node 1 -> (2, data); node 2 -> (data, nothing): node 2 is reached twice.
        long data = 3 + 16;
        byte[] file = MmdbBytes.database(new long[] {1, 2, 2, data, data, 3}, encode(Map.of()));
        assertThatThrownBy(() -> MmdbVerifier.verify(file))
                .hasMessage("search tree node 0: record 1 points at node 2, which another record already points at"
                        + " (only the IPv4 subtree may be shared)");
    }

    @Test
    void refusesAnUnreachableNode() {
        long data = 2 + 16;
        byte[] file = MmdbBytes.database(new long[] {data, 2, data, 2}, encode(Map.of()));
        assertThatThrownBy(() -> MmdbVerifier.verify(file)).hasMessageStartingWith("search tree node 1: not reachable from the root");
    }

    @Test
    void refusesAPathLongerThanTheAddress() {
        int nodes = 33;
        long[] records = new long[nodes * 2];
        for (int node = 0; node < nodes; node++) {
            records[2 * node] = node + 1 < nodes ? node + 1 : nodes + 16;
            records[2 * node + 1] = nodes;
        }
        byte[] file = MmdbBytes.database(records, encode(Map.of()));
        assertThatThrownBy(() -> MmdbVerifier.verify(file))
                .hasMessage("search tree node 31: record 0 leads deeper than the 32 bits of an IPv4 address");
    }

    @Test
    void refusesARecordTheTreeDoesNotPointAt() {
        byte[] data = concat(encode(Map.of("country_code", "CN")), encode(Map.of("country_code", "US")));
        assertThatThrownBy(() -> MmdbVerifier.verify(oneRecord(data)))
                .hasMessage("data section offset 17: a record the search tree does not point at (damaged data or a damaged tree)");
    }

    @Test
    void refusesATreePointerIntoTheMiddleOfARecord() {
        byte[] file = MmdbBytes.database(new long[] {1 + 16 + 1, 1}, encode(Map.of("country_code", "CN")));
        assertThatThrownBy(() -> MmdbVerifier.verify(file))
                .hasMessage("data section offset 0: a record the search tree does not point at (damaged data or a damaged tree)");
    }

    @Test
    void refusesCountryCodesThatAreNotTwoLetters() {
        for (Object code : List.of("cn", "C1", "CHN", "", 86)) {
            byte[] flat = oneRecord(encode(Map.of("country_code", code)));
            assertThatThrownBy(() -> MmdbVerifier.verify(flat)).as("country_code %s", code)
                    .hasMessageContaining("country_code").hasMessageContaining("is not a country code (two letters A-Z)");
            byte[] nested = oneRecord(encode(Map.of("country", Map.of("iso_code", code))));
            assertThatThrownBy(() -> MmdbVerifier.verify(nested)).as("country.iso_code %s", code)
                    .hasMessageContaining("country.iso_code");
        }
        byte[] notAMap = oneRecord(encode(Map.of("registered_country", "CN")));
        assertThatThrownBy(() -> MmdbVerifier.verify(notAMap)).hasMessage("data section offset 0: registered_country is not a map");
    }

    @Test
    void refusesValuesOfImpossibleTypesAndSizes() {
        Map<String, byte[]> values = new LinkedHashMap<>();
        values.put("a double of 4 bytes", new byte[] {0x64, 0, 0, 0, 0});
        values.put("a uint16 of 3 bytes", new byte[] {(byte) 0xa3, 0, 0, 0});
        values.put("an extended type 12 (data cache container)", new byte[] {0x00, 0x05});
        values.put("an end marker", new byte[] {0x00, 0x06});
        values.put("an unknown extended type", new byte[] {0x00, 0x20});
        values.put("a boolean of value 2", new byte[] {0x02, 0x07});
        values.put("a string running past the end", new byte[] {0x5c, 'a'});
        values.put("a map key that is a number", new byte[] {(byte) 0xe1, (byte) 0xc1, 1, 0x41, 'x'});
        values.forEach((what, value) -> {
            byte[] data = concat(new byte[] {(byte) 0xe1, 0x41, 'v'}, value);
            assertThatThrownBy(() -> MmdbVerifier.verify(oneRecord(data))).as(what)
                    .isInstanceOf(MmdbVerifier.Damage.class).hasMessageStartingWith("data section offset ");
        });
    }

    @Test
    void checksTheGeoIp2SchemaOnlyInMaxMindsCountryCityAndEnterpriseDatabases() {
        assertThat(MmdbVerifier.hasGeoIp2CountrySchema("GeoLite2-Country")).isTrue();
        assertThat(MmdbVerifier.hasGeoIp2CountrySchema("GeoIP2-City-Europe")).isTrue();
        assertThat(MmdbVerifier.hasGeoIp2CountrySchema("GeoIP2-Enterprise")).isTrue();
        assertThat(MmdbVerifier.hasGeoIp2CountrySchema("GeoLite2-ASN")).isFalse(); // refused by type, with its own message
        assertThat(MmdbVerifier.hasGeoIp2CountrySchema("geo-whois-asn-country")).isFalse();
    }

    @Test
    void refusesDeepNesting() {
        Object value = "CN";
        for (int i = 0; i < 600; i++) {
            value = List.of(value);
        }
        byte[] file = oneRecord(encode(Map.of("x", value)));
        assertThatThrownBy(() -> MmdbVerifier.verify(file)).hasMessageContaining("nested deeper than 512");
    }

    @Test
    void refusesBadMetadata() throws Exception {
        assertThatThrownBy(() -> MmdbVerifier.verify("not a database".getBytes()))
                .hasMessage("not a valid MaxMind DB (MMDB) file: no metadata marker in its last 128 KiB"
                        + " (another kind of file, or truncated)");
        byte[] whole = Files.readAllBytes(GeoIpFixtures.GEOLITE2_COUNTRY);
        byte[] recordSize = encode("record_size");
        int at = MmdbBytes.indexOf(whole, recordSize, MmdbBytes.lastIndexOf(whole, MmdbVerifier.METADATA_MARKER));
        byte[] damaged = whole.clone();
        damaged[at + recordSize.length + 1] = 25; // the uint16's value byte
        assertThatThrownBy(() -> MmdbVerifier.verify(damaged)).hasMessage("metadata: record_size 25 (expected: 24, 28 or 32)");
    }

    @Test
    void aWellFormedAsnDatabaseIsRefusedForWhatItHoldsNotAsDamage(@TempDir Path dir) throws Exception {
        byte[] asn = MmdbBytes.database(new long[] {1 + 16, 1}, encode(Map.of("autonomous_system_number", 4134)), 4, "GeoLite2-ASN");
        assertThat(MmdbVerifier.verify(asn).databaseType()).isEqualTo("GeoLite2-ASN");
        Path file = Files.write(dir.resolve("GeoLite2-ASN.mmdb"), asn);
        assertThatThrownBy(() -> GeoIpDatabase.open(file)).hasMessageStartingWith(file + ": database type GeoLite2-ASN holds no country");
    }

    @Test
    void theGatewayRefusesDamageNamingTheFileAndThePlace(@TempDir Path dir) throws Exception {
        Path cyclic = Files.write(dir.resolve("cyclic.mmdb"), oneRecord(encode(Map.of("country", pointer(0)))));
        assertThatThrownBy(() -> GeoIpDatabase.open(cyclic))
                .isInstanceOf(InvalidGeoIpDatabaseException.class)
                .hasMessage(cyclic + ": data section offset 9: pointer to offset 0, which contains this pointer (a cycle)");
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
