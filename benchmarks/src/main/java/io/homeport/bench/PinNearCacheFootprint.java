package io.homeport.bench;

import io.homeport.directory.PinNearCache;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.UUID;

/**
 * What one cached pin costs the gateway's heap: fills a near-cache with {@code N} users (a third
 * pinned, the rest negative entries, as {@link PinNearCacheBenchmark}) and compares the live heap
 * after a full collection before and after. User ids are {@code acct-NNNNNNNN} (13 characters) or,
 * with {@code uuid}, UUIDs (36): the key strings are part of the cost.
 *
 * <pre>java -Xmx4g -cp benchmarks/target/benchmarks.jar io.homeport.bench.PinNearCacheFootprint 1000000 [uuid]</pre>
 */
public final class PinNearCacheFootprint {

    private PinNearCacheFootprint() {}

    public static void main(String[] args) throws Exception {
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        boolean uuids = args.length > 1 && args[1].equals("uuid");
        String[] regions = {"beijing", "singapore", "us"};
        long before = liveHeap();
        PinNearCache cache = new PinNearCache(entries, Duration.ofHours(1), userId -> { });
        for (int i = 0; i < entries; i++) {
            String user = uuids ? new UUID(0x5eed_0000_0000_0000L + i, i * 0x9E37_79B9_7F4A_7C15L).toString() : "acct-" + (10_000_000 + i);
            cache.put(user, i % 3 == 0 ? new String(regions[i / 3 % 3]) : null);
        }
        long after = liveHeap();
        System.out.printf("near-cache: %,d entries (%s ids), %,d entries held, %.1f MiB of heap: %.0f bytes per cached pin%n",
                entries, uuids ? "36-character UUID" : "13-character acct-NNNNNNNN", cache.size(),
                (after - before) / 1048576.0, (after - before) / (double) entries);
        Reference.reachabilityFence(cache);
    }

    private static long liveHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
