package io.homeport.geoip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
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

        assertThat(first).isEqualTo(CountryLookup.found("CN", "1.2.4.0/22"));
        assertThat(fake.calls).hasValue(1);
        CacheStats stats = cache.cache().stats();
        assertThat(stats.hitCount()).isEqualTo(9);
        assertThat(stats.missCount()).isEqualTo(1);
    }

    @Test
    void notFoundIsCachedToo() {
        CountingGeo fake = new CountingGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 100);

        assertThat(cache.lookup(ip("10.0.0.1"))).isEqualTo(CountryLookup.NOT_FOUND);
        assertThat(cache.lookup(ip("10.0.0.1"))).isEqualTo(CountryLookup.NOT_FOUND);

        assertThat(fake.calls).hasValue(1);
        assertThat(cache.cache().stats().hitCount()).isEqualTo(1);
    }

    @Test
    void failedLookupsAreNotCachedAndAreRetried() {
        CountingGeo fake = new CountingGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 100);

        for (int i = 0; i < 3; i++) {
            assertThat(cache.lookup(fake.failing).outcome()).isEqualTo(CountryLookup.Outcome.FAILED);
        }

        assertThat(fake.callsByAddress.get(fake.failing)).isEqualTo(3);
        assertThat(cache.cache().asMap()).as("nothing cached").isEmpty();
        assertThat(cache.cache().stats().hitCount()).isZero();
    }

    @Test
    void sizeIsBounded() {
        CountingGeo fake = new CountingGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 10);

        for (int i = 0; i < 200; i++) {
            cache.lookup(ip("1.2." + (i / 256) + "." + (i % 256)));
        }
        cache.cache().cleanUp();

        assertThat(cache.cache().estimatedSize()).isLessThanOrEqualTo(10);
        assertThat(cache.cache().stats().evictionCount()).isGreaterThanOrEqualTo(190);
        assertThat(fake.calls).hasValue(200);
    }

    @Test
    void zeroEntriesCachesNothing() {
        CountingGeo fake = new CountingGeo();
        CachingGeoLookup cache = new CachingGeoLookup(fake, 0);

        cache.lookup(ip("1.2.4.8"));
        cache.cache().cleanUp();
        cache.lookup(ip("1.2.4.8"));
        cache.cache().cleanUp();

        assertThat(cache.cache().estimatedSize()).isZero();
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
            assertThat(cache.cache().stats().hitCount()).isEqualTo(1);
            assertThat(cache.description()).isEqualTo(database.description());
        }
    }
}
