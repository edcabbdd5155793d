package io.homeport.metrics;

import io.homeport.geoip.CachingGeoLookup;
import io.homeport.geoip.LookupErrors;
import io.homeport.netty.Buffers;
import io.homeport.proxy.ClientIp;
import io.homeport.routing.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Homeport's metrics (SPEC §6), in Prometheus names. Meters are created once per tag combination
 * and then looked up, so a request's accounting is a map lookup and an add.
 */
public final class GatewayMetrics {

    private final PrometheusMeterRegistry registry;
    private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();
    private final Map<Reason, Counter> decisions = new ConcurrentHashMap<>();
    private final Map<String, Counter> labelled = new ConcurrentHashMap<>();
    private final Timer upstreamConnect;
    private final Timer upstreamResponse;
    private final List<Meter> geoCacheMeters = new ArrayList<>();
    private final LongAdder residencyViolations = new LongAdder();
    private volatile double lastRegionChange;
    private final Counter[] clientIpSources = new Counter[ClientIp.Source.values().length];

    private record RequestKey(String region, String route, int status) {}

    public GatewayMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public GatewayMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        bindNettyMemory(Buffers.ALLOCATOR);
        upstreamConnect = Timer.builder("homeport.upstream.connect.duration")
                .description("Time to open a new connection to an upstream endpoint")
                .publishPercentileHistogram()
                .register(registry);
        upstreamResponse = Timer.builder("homeport.upstream.response.duration")
                .description("Time from sending a request upstream to its response head")
                .publishPercentileHistogram()
                .register(registry);
        FunctionCounter.builder("homeport.geoip.lookup.errors", this, metrics -> LookupErrors.total())
                .description("GeoIP lookups that failed at run time (a damaged database); each request is decided by"
                        + " residency.on_lookup_error with the reason lookup_error")
                .register(registry);
        Gauge.builder("homeport.reload.region.change.ratio", this, metrics -> metrics.lastRegionChange)
                .description("Share of recently sampled requests whose home region the last reload candidate would change"
                        + " (the canary; a GeoIP update past reload.max_region_change is refused)")
                .register(registry);
        for (ClientIp.Source source : ClientIp.Source.values()) {
            clientIpSources[source.ordinal()] = Counter.builder("homeport.client.ip.source").tag("source", source.label())
                    .description("Requests by where their client address came from").register(registry);
        }
        for (Reason reason : Reason.values()) {
            decisions.put(reason, Counter.builder("homeport.decisions").tag("reason", reason.label())
                    .description("Routing decisions by reason").register(registry));
        }
    }

    private void bindNettyMemory(ByteBufAllocator allocator) {
        if (allocator instanceof ByteBufAllocatorMetricProvider provider) {
            registry.gauge("homeport.netty.memory.used.direct", Tags.empty(), provider,
                    p -> p.metric().usedDirectMemory());
            registry.gauge("homeport.netty.memory.used.heap", Tags.empty(), provider,
                    p -> p.metric().usedHeapMemory());
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public void requestCompleted(String servingRegion, String route, int status, long durationNanos) {
        String region = servingRegion == null ? "none" : servingRegion; // refused before a region was chosen
        // get before computeIfAbsent: the function passed to it is an object made on every call,
        // and after the first requests every meter exists.
        RequestKey key = new RequestKey(region, route, status);
        Counter counter = requests.get(key);
        if (counter == null) {
            counter = requests.computeIfAbsent(key, this::requestCounter);
        }
        counter.increment();
        Timer duration = durations.get(region);
        if (duration == null) {
            duration = durations.computeIfAbsent(region, this::durationTimer);
        }
        duration.record(durationNanos, TimeUnit.NANOSECONDS);
    }

    private Counter requestCounter(RequestKey key) {
        return Counter.builder("homeport.requests")
                .description("Requests answered, by serving region, route and status")
                .tags("region", key.region(), "route", key.route(), "status", Integer.toString(key.status()))
                .register(registry);
    }

    private Timer durationTimer(String region) {
        return Timer.builder("homeport.request.duration")
                .description("Request duration, first byte in to last byte out, by region")
                .tag("region", region)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    /** Where a request's client address came from (socket, proxy_protocol, x_forwarded_for, forwarded). */
    public void clientIpSource(ClientIp.Source source) {
        clientIpSources[source.ordinal()].increment();
    }

    public void decision(Reason reason) {
        decisions.get(reason).increment();
    }

    public void configReload(String kind, boolean success) {
        count("homeport.config.reloads", "kind", kind, "result", success ? "success" : "failure");
    }

    public void failover(String from, String to) {
        count("homeport.failovers", "from", from, "to", to);
    }

    /** The share of recent requests the last candidate configuration would move to another home region. */
    public void reloadRegionChange(double share) {
        lastRegionChange = share;
    }

    /** A response served from a region the request's rules do not allow; see ResidencyCheck. Must stay 0. */
    public void residencyViolation(String homeRegion) {
        residencyViolations.increment();
        count("homeport.residency.violations", "region", homeRegion == null ? "none" : homeRegion);
    }

    /** Residency violations since start, over all regions: what every test asserts is 0. */
    public long residencyViolations() {
        return residencyViolations.sum();
    }

    /** Request header fields whose names have an underscore, by what became of them ({@code dropped}, {@code rejected}). */
    public void headersWithUnderscores(String action, int fields) {
        count("homeport.headers.with.underscores", fields, "action", action);
    }

    /** A request refused before it was decided, by {@link io.homeport.proxy.Refusal} label. */
    public void requestRefused(String reason) {
        labelled.computeIfAbsent("homeport.requests.refused\u0000" + reason, k -> Counter.builder("homeport.requests.refused")
                .description("Requests refused before they were decided (malformed, hostile or too large heads, head"
                        + " timeouts), by reason; each also has an access-log line")
                .tag("reason", reason).register(registry)).increment();
    }

    /** A connection left the direct HTTP/1.1 path for the full pipeline, and why. */
    public void directPathHandover(String reason) {
        count("homeport.direct.path.handovers", "reason", reason);
    }

    public void residencyDenied(String region) {
        count("homeport.residency.denied", "region", region);
    }

    public void upstreamConnected(long nanos) {
        upstreamConnect.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void upstreamResponded(long nanos) {
        upstreamResponse.record(nanos, TimeUnit.NANOSECONDS);
    }

    private void count(String name, String... tags) {
        count(name, 1, tags);
    }

    private void count(String name, double amount, String... tags) {
        String key = name + String.join("\u0000", tags);
        labelled.computeIfAbsent(key, k -> Counter.builder(name).tags(tags).register(registry)).increment(amount);
    }

    /**
     * Binds the GeoIP cache's statistics under the names Micrometer gives a cache, with the
     * gateway's prefix: {@code homeport_cache_gets_total{cache="geoip",result="hit"|"miss"}},
     * {@code homeport_cache_evictions_total}, {@code homeport_cache_size} and {@code
     * homeport_cache_max_entries}. A reloaded database's cache replaces the old one's meters.
     */
    public synchronized void bindGeoCache(CachingGeoLookup cache) {
        geoCacheMeters.forEach(registry::remove);
        geoCacheMeters.clear();
        geoCacheMeters.add(FunctionCounter.builder("homeport.cache.gets", cache, c -> c.statistics().hits())
                .description("GeoIP lookups, by whether the cache answered").tags("cache", "geoip", "result", "hit")
                .register(registry));
        geoCacheMeters.add(FunctionCounter.builder("homeport.cache.gets", cache, c -> c.statistics().misses())
                .description("GeoIP lookups, by whether the cache answered").tags("cache", "geoip", "result", "miss")
                .register(registry));
        geoCacheMeters.add(FunctionCounter.builder("homeport.cache.evictions", cache, c -> c.statistics().evictions())
                .description("Cached GeoIP answers displaced by newer ones").tag("cache", "geoip").register(registry));
        geoCacheMeters.add(Gauge.builder("homeport.cache.size", cache, c -> c.statistics().entries())
                .description("GeoIP answers in the cache").tag("cache", "geoip").register(registry));
        geoCacheMeters.add(Gauge.builder("homeport.cache.max.entries", cache, c -> c.statistics().maxEntries())
                .description("The cache's bound per address family (geoip.cache.max_entries)").tag("cache", "geoip")
                .register(registry));
    }
}
