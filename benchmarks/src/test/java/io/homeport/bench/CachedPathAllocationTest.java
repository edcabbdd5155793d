package io.homeport.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.routing.Decision;
import io.homeport.routing.RoutingSnapshot;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The budget's allocation line: a full decision for a cached client allocates nothing. Bytes are
 * counted by the JVM per thread (allocation is stable where time is not), after the code is hot.
 */
class CachedPathAllocationTest {

    private static final int CALLS = 2_000_000;

    @Test
    void aCachedFullDecisionAllocatesNothing() throws Exception {
        Path worldDb = Path.of(System.getProperty("homeport.worldDb", "../.cache/geoip/geo-whois-asn-country.mmdb"));
        Assumptions.assumeTrue(Files.exists(worldDb), "world GeoIP database absent: run deploy/geoip/fetch-world-db.sh");
        HotPathBenchmark benchmark = new HotPathBenchmark();
        benchmark.setUp();
        assertAllocatesNothing("IPv4", benchmark::fullDecisionCached);
        assertAllocatesNothing("IPv6, from the X-Forwarded-For memo", benchmark::fullDecisionCachedIpv6);
    }

    private static void assertAllocatesNothing(String what, java.util.function.Supplier<Decision> decide) {
        for (int round = 0; round < 5; round++) {
            run(decide); // warm up: let the JIT compile and inline the path
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        long checksum = run(decide);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(checksum).isNotZero();
        assertThat((double) allocated / CALLS).as("bytes allocated per cached decision, %s (%d in all)", what, allocated)
                .isLessThan(0.01);
    }

    private static long run(java.util.function.Supplier<Decision> decide) {
        long checksum = 0;
        for (int i = 0; i < CALLS; i++) {
            Decision decision = decide.get();
            checksum += decision.region().length();
        }
        return checksum;
    }

    @Test
    void theBenchmarkSnapshotsAgreeWithEachOther() throws Exception {
        Path worldDb = Path.of(System.getProperty("homeport.worldDb", "../.cache/geoip/geo-whois-asn-country.mmdb"));
        Assumptions.assumeTrue(Files.exists(worldDb), "world GeoIP database absent: run deploy/geoip/fetch-world-db.sh");
        HotPathFixture fixture = new HotPathFixture();
        RoutingSnapshot cached = fixture.cachedSnapshot(10_000);
        RoutingSnapshot uncached = fixture.uncachedSnapshot();
        for (int address : fixture.skewedClients(5_000, 1)) {
            assertThat(cached.decideIpv4(address, null, null, "/")).isEqualTo(uncached.decideIpv4(address, null, null, "/"));
        }
    }
}
