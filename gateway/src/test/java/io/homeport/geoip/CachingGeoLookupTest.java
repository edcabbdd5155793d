package io.homeport.geoip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.routing.CountryLookup;
import io.homeport.routing.GeoLookup;
import io.homeport.routing.IpAddresses;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachingGeoLookupTest {

    /** Answers from a map, FAILED for one address, and counts every call. */
    static final class CountingGeo implements GeoLookup {
        final AtomicInteger calls = new AtomicInteger();
        final Map<InetAddress, Integer> callsByAddress = new HashMap<>();
        final InetAddress failing = ip("203.0.113.200");

        @Override
        public synchronized CountryLookup lookup(InetAddress address) {
            calls.incrementAndGet();
            callsByAddress.merge(address, 1, Integer::sum);
            if (address.equals(failing)) {
                return CountryLookup.FAILED;
            }
            if (address.equals(ip("10.0.0.1"))) {
                return CountryLookup.NOT_FOUND;
            }
            return CountryLookup.found("CN", "1.2.4.0/22");
        }

        @Override
        public String description() {
            return "counting fake";
        }
    }

    private static InetAddress ip(String literal) {
        return IpAddresses.parseLiteral(literal).orElseThrow();
    }

    @Test
    void repeatedLookupsAreServedFromTheCache() {
        CountingGeo fake = new CountingGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 100);

        CountryLookup first = cache.lookup(ip("1.2.4.8"));
        for (int i = 0; i < 9; i++) {
            assertThat(cache.lookup(ip("1.2.4.8"))).isEqualTo(first);
        }

        assertThat(first).as("the network is left out: explanations read past the cache")
                .isEqualTo(CountryLookup.found("CN", null));
        assertThat(fake.calls).hasValue(1);
        CachingGeoLookup.Statistics stats = cache.statistics();
        assertThat(stats.hits()).isEqualTo(9);
        assertThat(stats.misses()).isEqualTo(1);
        assertThat(stats.entries()).isEqualTo(1);
    }

    @Test
    void notFoundIsCachedToo() {
        CountingGeo fake = new CountingGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 100);

        assertThat(cache.lookup(ip("10.0.0.1"))).isEqualTo(CountryLookup.NOT_FOUND);
        assertThat(cache.lookup(ip("10.0.0.1"))).isEqualTo(CountryLookup.NOT_FOUND);

        assertThat(fake.calls).hasValue(1);
        assertThat(cache.statistics().hits()).isEqualTo(1);
    }

    @Test
    void failedLookupsAreNotCachedAndAreRetried() {
        CountingGeo fake = new CountingGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 100);

        for (int i = 0; i < 3; i++) {
            assertThat(cache.lookup(fake.failing).outcome()).isEqualTo(CountryLookup.Outcome.FAILED);
        }

        assertThat(fake.callsByAddress.get(fake.failing)).isEqualTo(3);
        assertThat(cache.statistics().entries()).as("nothing cached").isZero();
        assertThat(cache.statistics().hits()).isZero();
    }

    @Test
    void sizeIsBounded() {
        CountingGeo fake = new CountingGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 10);

        for (int i = 0; i < 200; i++) {
            cache.lookup(ip("1.2." + (i / 256) + "." + (i % 256)));
        }

        assertThat(cache.statistics().entries()).isLessThanOrEqualTo(10);
        assertThat(cache.statistics().evictions()).isGreaterThanOrEqualTo(190);
        assertThat(fake.calls).hasValue(200);
    }

    @Test
    void zeroEntriesCachesNothing() {
        CountingGeo fake = new CountingGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 0);

        cache.lookup(ip("1.2.4.8"));
        cache.lookup(ip("1.2.4.8"));

        assertThat(cache.statistics().entries()).isZero();
        assertThat(fake.calls).hasValue(2);
    }

    @Test
    void negativeMaxEntriesIsRefused() {
        assertThatThrownBy(() -> new CachingGeoLookup(new CountingGeo(), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_entries: -1");
    }

    @Test
    void describesAndExposesTheDatabaseBehindIt() {
        CountingGeo fake = new CountingGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, CachingGeoLookup.DEFAULT_MAX_ENTRIES);

        assertThat(cache.description()).isEqualTo("counting fake");
        assertThat(cache.database()).isSameAs(fake);
    }

    @Test
    void cachesRealDatabaseAnswers() throws Exception {
        try (GeoIpDatabase database = GeoIpDatabase.open(GeoIpFixtures.GEOLITE2_COUNTRY)) {
            CachingGeoLookup cache = new CachingGeoLookup(database, 1000);
            CountryLookup first = cache.lookup(ip("1.2.4.8"));
            CountryLookup second = cache.lookup(ip("1.2.4.8"));

            assertThat(first.country()).isEqualTo("CN");
            assertThat(second).isSameAs(first);
            assertThat(cache.statistics().hits()).isEqualTo(1);
            assertThat(cache.description()).isEqualTo(database.description());
        }
    }

    /**
     * A database whose answer is a function of the address's bits: a wrong or torn entry shows at
     * once. Its IPv6 networks are /48s, whose answer depends on the upper 64 bits alone, except
     * in the /64s with an odd last bit: there every address is a /128 of its own (as in a real
     * database's tree: when one address of a /64 is in a longer network, they all are).
     */
    static final class BitsGeo implements GeoLookup {
        final AtomicInteger calls = new AtomicInteger();

        static boolean narrow(long high, long low) {
            return high != 0 && (high & 1) == 1;
        }

        static CountryLookup answerFor(long high, long low) {
            boolean ipv4 = high == 0;
            long mixed = ipv4 || narrow(high, low) ? high * 31 + low : high * 31;
            String network = ipv4 ? "1.2.3.0/24" : narrow(high, low) ? "2400::1/128" : "2400::/48";
            int index = (int) Math.floorMod(mixed ^ mixed >>> 17, 678L);
            if (index == 676) {
                return new CountryLookup(null, CountryLookup.Outcome.NOT_FOUND, network);
            }
            if (index == 677) {
                return CountryLookup.noCountry(network);
            }
            return CountryLookup.found("" + (char) ('A' + index / 26) + (char) ('A' + index % 26), network);
        }

        @Override
        public CountryLookup lookup(InetAddress address) {
            throw new AssertionError("the cache must use the primitive lookups");
        }

        @Override
        public CountryLookup lookupIpv4(int address) {
            calls.incrementAndGet();
            return answerFor(0, 0xffff_0000_0000L | (address & 0xffff_ffffL));
        }

        @Override
        public CountryLookup lookupIpv6(long high, long low) {
            calls.incrementAndGet();
            return answerFor(high, low);
        }

        @Override
        public String description() {
            return "bits";
        }
    }

    private static void assertSameAnswer(CountryLookup actual, CountryLookup expected) {
        assertThat(actual.outcome()).isEqualTo(expected.outcome());
        assertThat(actual.country()).isEqualTo(expected.country());
        assertThat(actual.countryIndex()).isEqualTo(expected.countryIndex());
    }

    @Test
    void ipv6AddressesAreCachedAndIpv4MappedOnesShareTheIpv4Entries() {
        BitsGeo fake = new BitsGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 100);
        long high = 0x2001_0db8_0000_0000L;

        CountryLookup first = cache.lookupIpv6(high, 42);
        CountryLookup second = cache.lookupIpv6(high, 42);
        CountryLookup mapped = cache.lookupIpv6(0, 0xffff_0102_0408L);
        CountryLookup asIpv4 = cache.lookupIpv4(0x0102_0408);

        assertSameAnswer(first, BitsGeo.answerFor(high, 42));
        assertThat(second).isSameAs(first);
        assertThat(asIpv4).isSameAs(mapped);
        assertThat(fake.calls).as("one database lookup per distinct address").hasValue(2);
        assertThat(cache.statistics().hits()).isEqualTo(2);
    }

    @Test
    void oneIpv6EntryServesTheWhole64WhenItsNetworkCoversIt() {
        BitsGeo fake = new BitsGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 100);
        long high = 0x2001_0db8_0000_0002L;

        for (long low = 0; low < 40; low += 2) { // a phone's temporary addresses, one /64
            assertSameAnswer(cache.lookupIpv6(high, low * 0x9e37_79b9L), BitsGeo.answerFor(high, low * 0x9e37_79b9L));
        }

        assertThat(fake.calls).as("one database lookup for the /64").hasValue(1);
        assertThat(cache.statistics().entries()).isEqualTo(1);
    }

    @Test
    void ipv6AddressesInNetworksLongerThan64AreCachedOneByOne() {
        BitsGeo fake = new BitsGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 100);
        long high = 0x2001_0db8_0000_0001L;

        for (int i = 0; i < 3; i++) {
            assertSameAnswer(cache.lookupIpv6(high, 7), BitsGeo.answerFor(high, 7)); // /128s of their own
            assertSameAnswer(cache.lookupIpv6(high, 8), BitsGeo.answerFor(high, 8));
        }

        assertThat(fake.calls).as("one database lookup per address").hasValue(2);
        assertThat(cache.statistics().entries()).isEqualTo(2);
        assertThat(cache.statistics().hits()).isEqualTo(4);
        assertThat(CachingGeoLookup.holdsForItsSlash64(CountryLookup.found("DE", "2a02::/16"))).isTrue();
        assertThat(CachingGeoLookup.holdsForItsSlash64(CountryLookup.found("DE", "2a02::/64"))).isTrue();
        assertThat(CachingGeoLookup.holdsForItsSlash64(CountryLookup.found("DE", "2a02::/65"))).isFalse();
        assertThat(CachingGeoLookup.holdsForItsSlash64(CountryLookup.found("DE", "1.2.3.0/24")))
                .as("an IPv4 prefix counts IPv4 bits").isFalse();
        assertThat(CachingGeoLookup.holdsForItsSlash64(CountryLookup.found("DE", null))).isFalse();
        assertThat(CachingGeoLookup.holdsForItsSlash64(CountryLookup.NOT_FOUND)).isFalse();
    }

    /** Many more addresses than entries, so that sets are shared and entries displaced all the time. */
    @Test
    void answersAsTheDatabaseWhateverItDisplaces() {
        BitsGeo fake = new BitsGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 64);
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        int[] ipv4 = random.ints(300).toArray();
        long[] ipv6 = random.longs(300).map(high -> high | 1L << 61).toArray(); // never 0: that is IPv4-mapped space

        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < ipv4.length; i++) {
                int address = ipv4[random.nextInt(ipv4.length)];
                assertSameAnswer(cache.lookupIpv4(address), BitsGeo.answerFor(0, 0xffff_0000_0000L | (address & 0xffff_ffffL)));
                long high = ipv6[random.nextInt(ipv6.length)];
                long low = random.nextLong();
                assertSameAnswer(cache.lookupIpv6(high, low), BitsGeo.answerFor(high, low));
            }
        }
        CachingGeoLookup.Statistics stats = cache.statistics();
        assertThat(stats.entries()).isLessThanOrEqualTo(2 * 64);
        assertThat(stats.hits()).isPositive();
        assertThat(stats.evictions()).isPositive();
        assertThat(stats.hits() + stats.misses()).isEqualTo(2L * 20 * 300);
    }

    /**
     * Event loops share one cache: threads that fill and read the same few sets at once must never
     * get another address's answer (an IPv6 entry is two longs; a torn one must not answer).
     */
    @Test
    void concurrentReadersNeverSeeAnotherAddressesAnswer() throws Exception {
        BitsGeo fake = new BitsGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 16);
        int threads = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                results.add(pool.submit(() -> {
                    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                    int wrong = 0;
                    for (int i = 0; i < 200_000; i++) {
                        long low = random.nextInt(4); // 64 /64s over 2 sets of 8: constant displacement
                        long high = 0x2a00_0000_0000_0000L | random.nextInt(64);
                        CountryLookup expected = BitsGeo.answerFor(high, low);
                        CountryLookup actual = cache.lookupIpv6(high, low);
                        if (actual.countryIndex() != expected.countryIndex() || actual.outcome() != expected.outcome()) {
                            wrong++;
                        }
                        int address = random.nextInt(64);
                        CountryLookup v4 = cache.lookupIpv4(address);
                        if (v4.countryIndex() != BitsGeo.answerFor(0, 0xffff_0000_0000L | address).countryIndex()) {
                            wrong++;
                        }
                    }
                    return wrong;
                }));
            }
            for (java.util.concurrent.Future<Integer> result : results) {
                assertThat(result.get(60, java.util.concurrent.TimeUnit.SECONDS)).as("wrong answers").isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(cache.statistics().hits()).as("the sets were really shared").isPositive();
    }

    @Test
    void answersTheRealDatabaseAsItDoesForIpv6Too() throws Exception {
        try (GeoIpDatabase database = GeoIpDatabase.open(GeoIpFixtures.GEOLITE2_COUNTRY)) {
            CachingGeoLookup cache = new CachingGeoLookup(database, 8);
            for (String literal : java.util.List.of("2001:218::1", "2001:220::1", "2a02:d300::7", "2001:db8::1", "1.2.4.8",
                    "89.160.20.112", "216.160.83.56", "2001:218::1", "1.2.4.8")) {
                InetAddress address = ip(literal);
                assertSameAnswer(cache.lookup(address), database.lookup(address));
            }
        }
    }

    @Test
    void aRealDatabasesIpv6NetworkIsCachedOncePer64() throws Exception {
        try (GeoIpDatabase database = GeoIpDatabase.open(GeoIpFixtures.GEOLITE2_COUNTRY)) {
            CachingGeoLookup cache = new CachingGeoLookup(database, 100);
            InetAddress first = ip("2001:218::1");
            InetAddress sameSlash64 = ip("2001:218::8e3a:51ff:fe07:1b2c");
            assertThat(CachingGeoLookup.holdsForItsSlash64(database.lookup(first))).as(database.lookup(first).network()).isTrue();

            assertSameAnswer(cache.lookup(first), database.lookup(first));
            assertSameAnswer(cache.lookup(sameSlash64), database.lookup(sameSlash64));

            assertThat(cache.statistics().misses()).isEqualTo(1);
            assertThat(cache.statistics().hits()).isEqualTo(1);
        }
    }
}
