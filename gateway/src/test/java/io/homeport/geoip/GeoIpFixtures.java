package io.homeport.geoip;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Paths of the GeoIP test fixtures and the sample addresses, shared by the gateway's tests.
 * Tests run with the gateway module as working directory.
 */
public final class GeoIpFixtures {

    public static final Path DIR = Path.of("src/test/resources/geoip").toAbsolutePath();
    public static final Path GEOLITE2_COUNTRY = DIR.resolve("GeoLite2-Country-Test.mmdb");
    public static final Path GEOIP2_CITY = DIR.resolve("GeoIP2-City-Test.mmdb");
    public static final Path GEOIP2_ENTERPRISE = DIR.resolve("GeoIP2-Enterprise-Test.mmdb");
    public static final Path COUNTRY_CODE = DIR.resolve("country-code-test.mmdb");
    public static final Path NOT_AN_MMDB = DIR.resolve("not-an-mmdb.mmdb");
    public static final Path TRUNCATED = DIR.resolve("truncated.mmdb");

    public static final Path SAMPLE_ADDRESSES = Path.of("geoip-fixtures/sample-addresses.tsv");
    public static final Path EXAMPLES = Path.of("../routing-rules/examples").toAbsolutePath().normalize();

    private GeoIpFixtures() {}

    /** One row of sample-addresses.tsv: a country and an address of it in each family. */
    public record Sample(String country, String ipv4, String ipv6) {
        @Override
        public String toString() {
            return country;
        }
    }

    public static List<Sample> samples() {
        try {
            List<Sample> samples = Files.readAllLines(SAMPLE_ADDRESSES, StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .map(line -> line.split("\t"))
                    .map(f -> new Sample(f[0], f[1], f[2]))
                    .toList();
            if (samples.size() < 10) {
                throw new IllegalStateException(SAMPLE_ADDRESSES + ": only " + samples.size() + " samples");
            }
            return samples;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The real world-wide database; skips the calling test when it has not been fetched. */
    public static Path worldDb() {
        String property = System.getProperty("homeport.worldDb");
        Path worldDb = property == null || property.isBlank() ? null : Path.of(property);
        assumeTrue(worldDb != null && Files.exists(worldDb),
                "world GeoIP database absent: run deploy/geoip/fetch-world-db.sh");
        return worldDb;
    }
}
