package io.homeport.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.demo.DemoGeoIp;
import io.homeport.geoip.GeoIpDatabase;
import io.homeport.routing.CountryLookup;
import io.homeport.routing.IpAddresses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class CountryAddressSamplerTest {

    static final List<String> MARKETS = List.of("CN", "IN", "ID", "SG", "MY", "US", "BR");

    @Test
    void everyAddressSampledFromTheDemoDatabaseIsAPublicAddressOfItsCountry() throws Exception {
        try (GeoIpDatabase database = GeoIpDatabase.open(DemoGeoIp.file())) {
            CountryAddressSampler.AddressPools pools = new CountryAddressSampler(database, CountryAddressSampler.ProbeBudget.DEFAULT)
                    .sample(MARKETS, 500, 7);

            assertThat(pools.byCountry().keySet()).containsExactlyElementsOf(MARKETS);
            assertEveryAddressIsOfItsCountry(database, pools.byCountry(), 500);
            // The demo database knows a few networks per market: random probing alone would take billions of lookups.
            assertThat(pools.filledFromNetworks()).isNotEmpty();
        }
    }

    @Test
    void everyAddressSampledFromTheWorldDatabaseIsAPublicAddressOfItsCountry() throws Exception {
        Path worldDb = Path.of(System.getProperty("homeport.worldDb", "../.cache/geoip/geo-whois-asn-country.mmdb"));
        Assumptions.assumeTrue(Files.exists(worldDb), "world GeoIP database absent: run deploy/geoip/fetch-world-db.sh");
        try (GeoIpDatabase database = GeoIpDatabase.open(worldDb)) {
            CountryAddressSampler.AddressPools pools = new CountryAddressSampler(database,
                    new CountryAddressSampler.ProbeBudget(4_000_000, Duration.ofSeconds(30))).sample(List.of("CN", "US", "BR"), 200, 7);

            assertEveryAddressIsOfItsCountry(database, pools.byCountry(), 200);
            assertThat(pools.filledFromNetworks()).as("large markets are found by random probing").isEmpty();
            assertThat(pools.probes()).isPositive();
        }
    }

    @Test
    void aSmallProbeBudgetIsMadeUpFromTheNetworkList() throws Exception {
        try (GeoIpDatabase database = GeoIpDatabase.open(DemoGeoIp.file())) {
            CountryAddressSampler.AddressPools pools = new CountryAddressSampler(database,
                    new CountryAddressSampler.ProbeBudget(10, Duration.ofSeconds(1))).sample(List.of("SG", "BR"), 50, 1);

            assertThat(pools.probes()).isEqualTo(10);
            assertThat(pools.filledFromNetworks()).containsExactly("SG", "BR");
            assertEveryAddressIsOfItsCountry(database, pools.byCountry(), 50);
        }
    }

    @Test
    void theSameSeedSamplesTheSameAddresses() throws Exception {
        try (GeoIpDatabase database = GeoIpDatabase.open(DemoGeoIp.file())) {
            CountryAddressSampler sampler = new CountryAddressSampler(database, new CountryAddressSampler.ProbeBudget(1000, Duration.ofMinutes(1)));

            assertThat(sampler.sample(List.of("MY"), 100, 3).byCountry().get("MY"))
                    .containsExactly(sampler.sample(List.of("MY"), 100, 3).byCountry().get("MY"));
            assertThat(sampler.sample(List.of("MY"), 100, 3).byCountry().get("MY"))
                    .isNotEqualTo(sampler.sample(List.of("MY"), 100, 4).byCountry().get("MY"));
        }
    }

    @Test
    void aCountryTheDatabaseDoesNotKnowIsRefused() throws Exception {
        try (GeoIpDatabase database = GeoIpDatabase.open(DemoGeoIp.file())) {
            CountryAddressSampler sampler = new CountryAddressSampler(database, new CountryAddressSampler.ProbeBudget(1000, Duration.ofSeconds(1)));

            assertThatThrownBy(() -> sampler.sample(List.of("CN", "NZ"), 10, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("has no public IPv4 address in NZ");
        }
    }

    @Test
    void aRandomNetworkAddressLiesInsideOneOfTheNetworksInProportionToTheirSize() {
        CountryNetworks networks = new CountryNetworks();
        networks.add(0x01020300L, 4);          // 1.2.3.0/30
        networks.add(0xC0A80000L, 1L << 16);   // 192.168.0.0/16, 16384 times larger
        SplittableRandom random = new SplittableRandom(1);
        int small = 0;
        for (int i = 0; i < 100_000; i++) {
            long address = networks.randomAddress(random) & 0xffffffffL;
            boolean inSmall = address >= 0x01020300L && address < 0x01020304L;
            boolean inLarge = address >= 0xC0A80000L && address < 0xC0A90000L;
            assertThat(inSmall || inLarge).as(ClientPopulation.dotted((int) address)).isTrue();
            small += inSmall ? 1 : 0;
        }
        assertThat(networks.addressCount()).isEqualTo(65_540);
        assertThat(small).isBetween(0, 30); // expected about 6
    }

    private static void assertEveryAddressIsOfItsCountry(GeoIpDatabase database, Map<String, int[]> pools, int perCountry) {
        pools.forEach((country, addresses) -> {
            assertThat(addresses).as(country).hasSize(perCountry);
            for (int address : addresses) {
                CountryLookup lookup = database.lookupIpv4(address);
                assertThat(IpAddresses.isNonPublicIpv4(address)).as(ClientPopulation.dotted(address)).isFalse();
                assertThat(lookup.country()).as("country of " + ClientPopulation.dotted(address)).isEqualTo(country);
            }
            assertThat(Arrays.stream(addresses).distinct().count()).as("distinct addresses of " + country).isGreaterThan(perCountry / 2);
        });
    }
}
