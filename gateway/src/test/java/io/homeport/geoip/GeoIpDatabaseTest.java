package io.homeport.geoip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.demo.DemoGeoIp;
import io.homeport.routing.CountryLookup;
import io.homeport.routing.CountryLookup.Outcome;
import io.homeport.routing.IpAddresses;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeoIpDatabaseTest {

    /** Each valid fixture, its database_type and the kind it must be read as. */
    static Stream<Arguments> fixtures() {
        return Stream.of(
                Arguments.of(GeoIpFixtures.GEOLITE2_COUNTRY, "GeoLite2-Country", DatabaseKind.GEOIP2_COUNTRY),
                Arguments.of(GeoIpFixtures.GEOIP2_CITY, "GeoIP2-City", DatabaseKind.GEOIP2_CITY),
                Arguments.of(GeoIpFixtures.GEOIP2_ENTERPRISE, "GeoIP2-Enterprise", DatabaseKind.GEOIP2_ENTERPRISE),
                Arguments.of(GeoIpFixtures.COUNTRY_CODE, "geo-whois-asn-country", DatabaseKind.COUNTRY_MMDB));
    }

    private final List<GeoIpDatabase> opened = new ArrayList<>();

    @AfterAll
    void closeAll() {
        opened.forEach(GeoIpDatabase::close);
    }

    private GeoIpDatabase open(Path file) throws InvalidGeoIpDatabaseException {
        GeoIpDatabase database = GeoIpDatabase.open(file);
        opened.add(database);
        return database;
    }

    private static InetAddress ip(String literal) {
        return IpAddresses.parseLiteral(literal).orElseThrow(() -> new AssertionError("not an IP literal: " + literal));
    }

    /** {@code ::ffff:a.b.c.d} as a real 16-byte IPv6 address (the JDK's parsers turn it into IPv4). */
    private static InetAddress ipv4Mapped(String ipv4) throws UnknownHostException {
        byte[] v4 = ip(ipv4).getAddress();
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xff;
        v6[11] = (byte) 0xff;
        System.arraycopy(v4, 0, v6, 12, 4);
        InetAddress mapped = Inet6Address.getByAddress(null, v6, -1);
        assertThat(mapped).isInstanceOf(Inet6Address.class);
        return mapped;
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("fixtures")
    void detectsKindTypeAndDescribesTheDatabase(Path file, String type, DatabaseKind kind) throws Exception {
        GeoIpDatabase database = open(file);

        assertThat(database.kind()).isEqualTo(kind);
        assertThat(database.databaseType()).isEqualTo(type);
        assertThat(database.file()).isEqualTo(file);
        assertThat(database.buildTime()).isNotNull();
        assertThat(database.description())
                .contains(type)
                .contains("built 2026-06-18")
                .contains(file.toString());
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("fixtures")
    void findsCountriesOfIpv4Ipv6AndIpv4MappedAddresses(Path file, String type, DatabaseKind kind) throws Exception {
        GeoIpDatabase database = open(file);

        assertFound(database, ip("1.2.4.8"), "CN");
        assertFound(database, ip("2400:da00::6666"), "CN");
        assertFound(database, ip("::ffff:1.2.4.8"), "CN"); // parsed to IPv4 by IpAddresses
        assertFound(database, ipv4Mapped("1.2.4.8"), "CN"); // looked up as IPv6 ::ffff:1.2.4.8
        assertFound(database, ip("165.21.83.88"), "SG");
        assertFound(database, ip("2406:3000::1"), "SG");
        assertFound(database, ip("202.54.1.30"), "IN");
        assertFound(database, ip("202.188.0.133"), "MY");
        assertFound(database, ip("8.8.8.8"), "US");
        assertFound(database, ip("2001:4860:4860::8888"), "US");
        assertFound(database, ipv4Mapped("8.8.8.8"), "US");
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("fixtures")
    void reportsTheMatchedNetwork(Path file, String type, DatabaseKind kind) throws Exception {
        GeoIpDatabase database = open(file);

        CountryLookup v4 = database.lookup(ip("1.2.4.8"));
        assertThat(v4.network()).contains("/");
        Cidr network = Cidr.of(v4.network());
        assertThat(network.contains(ip("1.2.4.8"))).as("%s contains 1.2.4.8", v4.network()).isTrue();
        assertThat(network.prefixLength()).isBetween(8, 32);

        CountryLookup v6 = database.lookup(ip("2400:da00::6666"));
        assertThat(v6.network()).contains("/");
        assertThat(Cidr.of(v6.network()).contains(ip("2400:da00::6666"))).as(v6.network()).isTrue();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("fixtures")
    void recordWithoutCountryIsNoCountry(Path file, String type, DatabaseKind kind) throws Exception {
        GeoIpDatabase database = open(file);

        for (String address : List.of("192.0.2.1", "2001:db8::1")) {
            CountryLookup lookup = database.lookup(ip(address));
            assertThat(lookup.outcome()).as(address).isEqualTo(Outcome.NO_COUNTRY);
            assertThat(lookup.country()).as(address).isNull();
            assertThat(lookup.isFound()).isFalse();
            assertThat(lookup.network()).as(address).contains("/");
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("fixtures")
    void addressInNoNetworkIsNotFound(Path file, String type, DatabaseKind kind) throws Exception {
        GeoIpDatabase database = open(file);

        for (String address : List.of("10.0.0.1", "fd00::1", "127.0.0.1")) {
            CountryLookup lookup = database.lookup(ip(address));
            assertThat(lookup.outcome()).as(address).isEqualTo(Outcome.NOT_FOUND);
            assertThat(lookup.country()).as(address).isNull();
        }
    }

    @Test
    void refusesAFileThatIsNotAnMmdb() {
        Path file = GeoIpFixtures.NOT_AN_MMDB;
        assertThatThrownBy(() -> GeoIpDatabase.open(file))
                .isInstanceOf(InvalidGeoIpDatabaseException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining("not a valid MaxMind DB (MMDB) file");
    }

    @Test
    void refusesATruncatedDatabase() {
        Path file = GeoIpFixtures.TRUNCATED;
        assertThatThrownBy(() -> GeoIpDatabase.open(file))
                .isInstanceOf(InvalidGeoIpDatabaseException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining("not a valid MaxMind DB (MMDB) file");
    }

    @Test
    void refusesAMissingFile(@TempDir Path dir) {
        Path file = dir.resolve("GeoLite2-Country.mmdb");
        assertThatThrownBy(() -> GeoIpDatabase.open(file))
                .isInstanceOf(InvalidGeoIpDatabaseException.class)
                .hasMessage(file + ": no such file");
    }

    @Test
    void refusesADirectory(@TempDir Path dir) {
        assertThatThrownBy(() -> GeoIpDatabase.open(dir))
                .isInstanceOf(InvalidGeoIpDatabaseException.class)
                .hasMessage(dir + ": no such file");
    }

    @Test
    void refusesAnEmptyFile(@TempDir Path dir) throws IOException {
        Path file = Files.createFile(dir.resolve("empty.mmdb"));
        assertThatThrownBy(() -> GeoIpDatabase.open(file))
                .isInstanceOf(InvalidGeoIpDatabaseException.class)
                .hasMessageStartingWith(file + ": ");
    }

    @Test
    void refusesADatabaseCorruptedAfterItsTree(@TempDir Path dir) throws Exception {
        // Keep the metadata, overwrite the data section: refused at open, naming the place, not per request.
        byte[] bytes = Files.readAllBytes(GeoIpFixtures.GEOLITE2_COUNTRY);
        String marker = "\u00ab\u00cd\u00efMaxMind.com";
        int metadataStart = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).lastIndexOf(marker);
        assertThat(metadataStart).isPositive();
        int dataSection = (int) MmdbVerifier.verify(bytes).nodeCount() * 6 + 16;
        for (int i = dataSection + 40; i < metadataStart; i++) {
            bytes[i] = (byte) 0xff;
        }
        Path file = Files.write(dir.resolve("damaged.mmdb"), bytes);
        assertThatThrownBy(() -> GeoIpDatabase.open(file))
                .isInstanceOf(InvalidGeoIpDatabaseException.class)
                .hasMessageStartingWith(file + ": data section offset ")
                .hasMessageNotContaining("null");
    }

    @Test
    void demoDatabaseAnswersForEverySampleAddress() throws Exception {
        GeoIpDatabase demo = open(DemoGeoIp.file());
        assertThat(demo.kind()).isEqualTo(DatabaseKind.COUNTRY_MMDB);
        assertThat(demo.databaseType()).isEqualTo("Homeport-Demo-Country");

        List<GeoIpFixtures.Sample> samples = GeoIpFixtures.samples();
        assertThat(samples).extracting(GeoIpFixtures.Sample::country).contains("CN", "SG", "IN", "MY", "US");
        for (GeoIpFixtures.Sample sample : samples) {
            assertFound(demo, ip(sample.ipv4()), sample.country());
            assertFound(demo, ip(sample.ipv6()), sample.country());
            assertFound(demo, ipv4Mapped(sample.ipv4()), sample.country());
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("fixtures")
    void everyFixtureAnswersForEverySampleAddress(Path file, String type, DatabaseKind kind) throws Exception {
        GeoIpDatabase database = open(file);
        for (GeoIpFixtures.Sample sample : GeoIpFixtures.samples()) {
            assertFound(database, ip(sample.ipv4()), sample.country());
            assertFound(database, ip(sample.ipv6()), sample.country());
        }
    }

    @Test
    void worldDatabaseAgreesWithTheSampleAddresses() throws Exception {
        Path worldDb = GeoIpFixtures.worldDb();
        GeoIpDatabase world = open(worldDb);
        assertThat(world.kind()).isEqualTo(DatabaseKind.COUNTRY_MMDB);
        assertThat(world.description()).contains(worldDb.toString());

        assertFound(world, ip("1.2.4.8"), "CN");
        assertFound(world, ip("8.8.8.8"), "US");
        assertFound(world, ip("2001:4860:4860::8888"), "US");
        // Mapped addresses reach the database as IPv4 (IpAddresses, the JDK and Netty all unmap them);
        // this database, unlike the fixtures, has no ::ffff:0:0/96 alias.
        assertFound(world, ip("::ffff:1.2.4.8"), "CN");
        for (GeoIpFixtures.Sample sample : GeoIpFixtures.samples()) {
            assertFound(world, ip(sample.ipv4()), sample.country());
        }
        assertThat(world.lookup(ip("10.0.0.1")).isFound()).isFalse();
    }

    private static void assertFound(GeoIpDatabase database, InetAddress address, String country) {
        CountryLookup lookup = database.lookup(address);
        String what = (address instanceof Inet4Address ? "" : "[v6] ") + address.getHostAddress() + " in " + database.databaseType();
        assertThat(lookup.outcome()).as(what).isEqualTo(Outcome.FOUND);
        assertThat(lookup.country()).as(what).isEqualTo(country);
        assertThat(lookup.network()).as(what).contains("/");
    }

    /** A tiny CIDR parser for checking reported networks, independent of the gateway's config code. */
    private record Cidr(byte[] network, int prefixLength) {
        static Cidr of(String text) {
            int slash = text.indexOf('/');
            return new Cidr(ip(text.substring(0, slash)).getAddress(), Integer.parseInt(text.substring(slash + 1)));
        }

        boolean contains(InetAddress address) {
            byte[] candidate = address.getAddress();
            if (candidate.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefixLength; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((candidate[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
