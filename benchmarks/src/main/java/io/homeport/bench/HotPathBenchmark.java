package io.homeport.bench;

import io.homeport.geoip.CachingGeoLookup;
import io.homeport.proxy.ClientDecision;
import io.homeport.proxy.ClientIp;
import io.homeport.routing.Decision;
import io.homeport.routing.RoutingSnapshot;
import io.homeport.rules.Route;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Each step of a request's decision, and the whole, as the gateway runs them. Inputs cycle through
 * arrays prepared in setup, so the benchmarks measure the step and not the input's making.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar HotPathBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmark {

    /** Distinct clients in the cached workload: all fit the cache, as the hot set of a busy edge does. */
    static final int HOT_CLIENTS = 1 << 14;
    /** Distinct clients in the uncached workload: far more than any cache would hold. */
    static final int COLD_CLIENTS = 1 << 20;

    HotPathFixture fixture;
    RoutingSnapshot cached;
    RoutingSnapshot uncached;
    CachingGeoLookup cache;
    int[] hot;
    String[] hotHeaders;
    int[] cold;
    String[] userIds;
    /** IPv6 clients as X-Forwarded-For text, all in the cache: a third of a mobile market's phones. */
    String[] hotIpv6Headers;
    java.net.InetAddress peerAddress;
    final long[] bits = new long[2];
    long[] hotIpv6High;
    long[] hotIpv6Low;
    final ClientDecision.Client client = new ClientDecision.Client();
    int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        fixture = new HotPathFixture();
        hot = fixture.skewedClients(HOT_CLIENTS, 42);
        hotHeaders = new String[hot.length];
        for (int i = 0; i < hot.length; i++) {
            hotHeaders[i] = HotPathFixture.dotted(hot[i]);
        }
        cold = HotPathFixture.randomPublic(COLD_CLIENTS, 43);
        cache = new CachingGeoLookup(fixture.database, 100_000);
        cached = new RoutingSnapshot(fixture.rules, cache);
        uncached = fixture.uncachedSnapshot();
        userIds = new String[HOT_CLIENTS];
        for (int i = 0; i < userIds.length; i++) {
            userIds[i] = i % 4 == 0 ? null : "acct-" + (10_000_000 + i * 7919);
        }
        for (int address : hot) {
            cache.lookupIpv4(address); // warm: the cached benchmarks measure hits
        }
        hotIpv6Headers = fixture.skewedIpv6Clients(HOT_CLIENTS, 44);
        peerAddress = io.homeport.routing.IpAddresses.ipv4(fixture.peer);
        hotIpv6High = new long[HOT_CLIENTS];
        hotIpv6Low = new long[HOT_CLIENTS];
        for (int i = 0; i < HOT_CLIENTS; i++) {
            if (fixture.resolver.resolveBits(peerAddress, hotIpv6Headers[i], null, bits)
                    == io.homeport.proxy.ClientAddressResolver.GENERAL) {
                throw new IllegalStateException("not on the fast path: " + hotIpv6Headers[i]);
            }
            fullDecisionParsedIpv6(); // warm the GeoIP cache with every IPv6 client
            hotIpv6High[next] = bits[0];
            hotIpv6Low[next] = bits[1];
        }
        for (int i = 0; i < HOT_CLIENTS; i++) {
            fullDecisionCached(); // the gateway has seen every client's value: the memo holds them
        }
        for (int i = 0; i < HOT_CLIENTS; i++) {
            fullDecisionCachedIpv6();
        }
    }

    private int nextHot() {
        return next = (next + 1) & (HOT_CLIENTS - 1);
    }

    private int nextCold() {
        return next = (next + 1) & (COLD_CLIENTS - 1);
    }

    /** X-Forwarded-For from a trusted load balancer, parsed to the client's IPv4 bits. */
    @Benchmark
    public long clientAddressFromHeader() {
        return fixture.resolver.resolveIpv4(fixture.peer, hotHeaders[nextHot()], null);
    }

    /** For comparison: what parsing the same text with the JDK costs. */
    @Benchmark
    public InetAddress clientAddressWithInetAddress() throws Exception {
        return InetAddress.getByName(hotHeaders[nextHot()]);
    }

    @Benchmark
    public Object geoLookupUncached() {
        return fixture.database.lookupIpv4(cold[nextCold()]);
    }

    @Benchmark
    public Object geoLookupCached() {
        return cache.lookupIpv4(hot[nextHot()]);
    }

    /** User pin, then migration bucket and country policy, with the country already known. */
    @Benchmark
    public Decision residencyResolution() {
        int i = nextHot();
        return cached.decideIpv4(hot[i], userIds[i], null, "/");
    }

    /** The same without a user id: what the user's pin and bucket add to {@link #residencyResolution} is the difference. */
    @Benchmark
    public Decision residencyResolutionWithoutUser() {
        return cached.decideIpv4(hot[nextHot()], null, null, "/");
    }

    @Benchmark
    public Route routeMatch() {
        return fixture.rules.routeFor((next++ & 1) == 0 ? "push.example.com" : "api.example.com", "/v2/sync/items");
    }

    /**
     * The whole decision as the gateway makes it ({@link ClientDecision}, which every request goes
     * through), for a client whose X-Forwarded-For value the gateway has seen before: the value,
     * from a trusted load balancer, is answered by the resolver's memo, country included.
     */
    @Benchmark
    public Decision fullDecisionCached() {
        int i = nextHot();
        return ClientDecision.decide(cached, fixture.resolver, peerAddress, ClientIp.SOCKET, hotHeaders[i], null,
                userIds[i], "api.example.com", "/v2/items", client);
    }

    /** The same for an IPv6 client (in X-Forwarded-For from the load balancer). */
    @Benchmark
    public Decision fullDecisionCachedIpv6() {
        int i = nextHot();
        return ClientDecision.decide(cached, fixture.resolver, peerAddress, ClientIp.SOCKET, hotIpv6Headers[i], null,
                userIds[i], "api.example.com", "/v2/items", client);
    }

    /**
     * For comparison: the whole decision without the memo, its address parsed and its country read
     * from the GeoIP cache for every request, as for a value not seen before whose address is cached.
     */
    @Benchmark
    public Decision fullDecisionParsed() {
        int i = nextHot();
        long address = fixture.resolver.resolveIpv4(fixture.peer, hotHeaders[i], null);
        return cached.decideIpv4((int) address, userIds[i], "api.example.com", "/v2/items");
    }

    /** The same for an IPv6 client. */
    @Benchmark
    public Decision fullDecisionParsedIpv6() {
        int i = nextHot();
        fixture.resolver.resolveBits(peerAddress, hotIpv6Headers[i], null, bits); // setUp checked every one is on it
        return cached.decideIpv6(bits[0], bits[1], userIds[i], "api.example.com", "/v2/items");
    }

    /** The decision alone for a cached IPv6 client, its address already parsed: compare {@link #residencyResolution}. */
    @Benchmark
    public Decision residencyResolutionIpv6() {
        int i = nextHot();
        return cached.decideIpv6(hotIpv6High[i], hotIpv6Low[i], userIds[i], null, "/");
    }

    /** X-Forwarded-For with an IPv6 client, parsed to its 128 bits. */
    @Benchmark
    public int clientAddressFromHeaderIpv6() {
        return fixture.resolver.resolveBits(peerAddress, hotIpv6Headers[nextHot()], null, bits);
    }

    /** For comparison: the general path the gateway took for IPv6 clients before (the JDK's parser, a record). */
    @Benchmark
    public Object clientAddressFromHeaderIpv6General() {
        return fixture.resolver.resolve(peerAddress, io.homeport.proxy.ClientIp.SOCKET, hotIpv6Headers[nextHot()], null);
    }

    /** The whole decision for a client never seen before: a real tree walk in the world database. */
    @Benchmark
    public Decision fullDecisionUncached() {
        return uncached.decideIpv4(cold[nextCold()], null, "api.example.com", "/v2/items");
    }
}
