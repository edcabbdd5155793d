package io.homeport.bench;

import io.homeport.directory.PinNearCache;
import io.homeport.geoip.CachingGeoLookup;
import io.homeport.proxy.ClientDecision;
import io.homeport.proxy.ClientIp;
import io.homeport.routing.Decision;
import io.homeport.routing.RoutingSnapshot;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The decision with the pins in Redis and every user in the gateway's near-cache, beside the same
 * decision with the same pins from a users file: the production example rules, the world database,
 * the hot clients of {@link HotPathBenchmark}. A third of the users with an id are pinned (to
 * beijing, singapore or us in turn), the rest are negative entries ("no pin"); the near-cache holds
 * {@code cachedPins} entries in all, the others being other users, as a busy gateway's does.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar PinNearCacheBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class PinNearCacheBenchmark {

    /** Entries in the near-cache: the default {@code directory.redis.near_cache.max_entries}. */
    @Param("1000000")
    int cachedPins;

    static final String[] REGIONS = {"beijing", "singapore", "us"};

    RoutingSnapshot filePins;
    RoutingSnapshot nearCachePins;
    HotPathFixture fixture;
    int[] hot;
    String[] hotHeaders;
    String[] userIds;
    java.net.InetAddress peerAddress;
    final ClientDecision.Client client = new ClientDecision.Client();
    int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        fixture = new HotPathFixture();
        hot = fixture.skewedClients(HotPathBenchmark.HOT_CLIENTS, 42);
        hotHeaders = new String[hot.length];
        userIds = new String[hot.length];
        StringBuilder csv = new StringBuilder("user_id,region\n");
        for (int i = 0; i < hot.length; i++) {
            hotHeaders[i] = HotPathFixture.dotted(hot[i]);
            userIds[i] = i % 4 == 0 ? null : "acct-" + (10_000_000 + i * 7919);
            if (userIds[i] != null && i % 3 == 0) {
                csv.append(userIds[i]).append(',').append(REGIONS[i / 3 % 3]).append('\n');
            }
        }
        Path dir = Files.createTempDirectory("homeport-pin-bench");
        Files.writeString(dir.resolve("users.csv"), csv);
        String production = Files.readString(HotPathFixture.find("homeport.rules", "routing-rules/examples/production.yaml"));
        String withFile = production.replace("file: production-users.csv", "file: users.csv");
        String withRedis = production.replace("file: production-users.csv", "source: redis");
        if (withFile.equals(production) || withRedis.equals(production)) {
            throw new IllegalStateException("production.yaml no longer names production-users.csv");
        }
        RoutingRules fileRules = new RulesLoader().load(Files.writeString(dir.resolve("file.yaml"), withFile));
        RoutingRules redisRules = new RulesLoader().load(Files.writeString(dir.resolve("redis.yaml"), withRedis));

        PinNearCache nearCache = new PinNearCache(cachedPins, Duration.ofHours(1), userId -> { });
        int hotUsers = (int) java.util.Arrays.stream(userIds).filter(java.util.Objects::nonNull).count();
        for (int i = 0; i < cachedPins - hotUsers; i++) { // other users first, then the hot ones: the newest entries
            nearCache.put("acct-x" + (50_000_000 + i), i % 3 == 0 ? new String(REGIONS[i % 3]) : null);
        }
        // A full window lets its oldest entry go: put the hot users until the near-cache holds them all.
        for (int pass = 0, missing = -1; missing != 0; pass++) {
            if (pass == 10) {
                throw new IllegalStateException(missing + " hot users do not stay in the near-cache");
            }
            missing = 0;
            for (int i = 0; i < userIds.length; i++) {
                if (userIds[i] != null && !nearCache.holds(userIds[i])) {
                    // As Redis answers: a fresh string per read.
                    nearCache.put(userIds[i], i % 3 == 0 ? new String(REGIONS[i / 3 % 3]) : null);
                    missing++;
                }
            }
        }
        CachingGeoLookup cache = new CachingGeoLookup(fixture.database, 100_000);
        filePins = new RoutingSnapshot(fileRules, cache);
        nearCachePins = new RoutingSnapshot(redisRules, cache, nearCache);
        peerAddress = io.homeport.routing.IpAddresses.ipv4(fixture.peer);
        for (int i = 0; i < hot.length; i++) {
            Decision fromFile = filePins.decideIpv4(hot[i], userIds[i], null, "/");
            Decision fromCache = nearCachePins.decideIpv4(hot[i], userIds[i], null, "/");
            if (!fromFile.region().equals(fromCache.region()) || fromFile.reason() != fromCache.reason()) {
                throw new IllegalStateException("the two sources disagree for " + userIds[i] + ": " + fromFile + " / " + fromCache);
            }
            fullDecisionNearCache(); // the memo holds every client's X-Forwarded-For value, as in HotPathBenchmark
        }
    }

    private int nextHot() {
        return next = (next + 1) & (HotPathBenchmark.HOT_CLIENTS - 1);
    }

    /** The decision, the country known from the GeoIP cache, with the pins from a users file. */
    @Benchmark
    public Decision residencyResolutionFilePins() {
        int i = nextHot();
        return filePins.decideIpv4(hot[i], userIds[i], null, "/");
    }

    /** The same with the pins in Redis, every user in the near-cache. */
    @Benchmark
    public Decision residencyResolutionNearCachePins() {
        int i = nextHot();
        return nearCachePins.decideIpv4(hot[i], userIds[i], null, "/");
    }

    /** The whole decision as the gateway makes it (X-Forwarded-For from a trusted balancer), pins in the near-cache. */
    @Benchmark
    public Decision fullDecisionNearCache() {
        int i = nextHot();
        return ClientDecision.decide(nearCachePins, fixture.resolver, peerAddress, ClientIp.SOCKET, hotHeaders[i], null,
                userIds[i], "api.example.com", "/v2/items", client);
    }

    /** The same with the pins from the file. */
    @Benchmark
    public Decision fullDecisionFilePins() {
        int i = nextHot();
        return ClientDecision.decide(filePins, fixture.resolver, peerAddress, ClientIp.SOCKET, hotHeaders[i], null,
                userIds[i], "api.example.com", "/v2/items", client);
    }
}
