package io.homeport.metrics;

import io.homeport.geoip.CachingGeoLookup;
import io.homeport.geoip.LookupErrors;
import io.homeport.netty.Buffers;
import io.homeport.proxy.ClientIp;
import io.homeport.routing.Decision;
import io.homeport.routing.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
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
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

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
    private final Map<String, Timer> upstreamConnect = new ConcurrentHashMap<>();
    private final Map<String, Timer> upstreamResponse = new ConcurrentHashMap<>();
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();
    private volatile double lastReloadSuccessful = 1;
    private volatile double lastReloadSuccessSeconds = Instant.now().toEpochMilli() / 1000.0;
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
        // Prometheus conventions (promtool check metrics): base units, and no "_count" suffix on a gauge.
        // Micrometer's process CPU time is in nanoseconds and its CPU count a gauge named *.count; the
        // gateway publishes them as process_cpu_seconds_total (the name every Prometheus client uses)
        // and system_cpus.
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("system.cpu.count"));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        bindNettyMemory(Buffers.ALLOCATOR);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds").description("CPU time used by the gateway's process").register(registry);
        }
        Gauge.builder("system.cpus", Runtime.getRuntime(), Runtime::availableProcessors)
                .description("Processors available to the gateway's JVM (its affinity and cgroup limits)").register(registry);
        Gauge.builder("homeport.build.info", () -> 1)
                .description("The gateway's version and source revision (value 1)")
                .tags("version", BuildInfo.version(), "revision", BuildInfo.revision(),
                        "java_version", System.getProperty("java.version", "unknown"))
                .register(registry);
        Gauge.builder("homeport.config.last.reload.successful", this, metrics -> metrics.lastReloadSuccessful)
                .description("1 when the last reload that changed something was applied, 0 when it was refused"
                        + " (the previous configuration keeps serving)")
                .register(registry);
        Gauge.builder("homeport.config.last.reload.success.timestamp", this, metrics -> metrics.lastReloadSuccessSeconds)
                .baseUnit("seconds")
                .description("When the serving configuration was last loaded or reloaded successfully (Unix time)")
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
            Gauge.builder("homeport.netty.memory.used", provider, p -> p.metric().usedDirectMemory()).baseUnit("bytes")
                    .tag("area", "direct").description("Memory held by the gateway's Netty buffer pool").register(registry);
            Gauge.builder("homeport.netty.memory.used", provider, p -> p.metric().usedHeapMemory()).baseUnit("bytes")
                    .tag("area", "heap").description("Memory held by the gateway's Netty buffer pool").register(registry);
        }
    }

    /** Open client connections and requests in flight, read at each scrape. */
    public void bindTraffic(DoubleSupplier clientConnections, DoubleSupplier requestsInFlight) {
        // Strong references: Micrometer holds a gauge's object weakly, and these suppliers have no other holder.
        Gauge.builder("homeport.client.connections", clientConnections, DoubleSupplier::getAsDouble).strongReference(true)
                .description("Open client connections, all listeners").register(registry);
        Gauge.builder("homeport.requests.in.flight", requestsInFlight, DoubleSupplier::getAsDouble).strongReference(true)
                .description("Requests received and not yet answered").register(registry);
    }

    /** The pin directory's counts: lookups that failed by reason, invalidations, near-cache size. */
    public void bindPinDirectory(io.homeport.directory.PinDirectory pins) {
        for (io.homeport.directory.PinDirectory.Failure reason : io.homeport.directory.PinDirectory.Failure.values()) {
            io.micrometer.core.instrument.FunctionCounter.builder("homeport.user.lookup.failures", pins, p -> p.failures(reason))
                    .description("Pin lookups in Redis that failed, by reason; the request was decided by country and migration"
                            + " (or refused where strict)")
                    .tag("reason", reason.key()).register(registry);
        }
        io.micrometer.core.instrument.FunctionCounter.builder("homeport.pin.invalidations", pins, p -> p.invalidations())
                .description("Pin keys Redis announced as changed (client-side caching)").register(registry);
        Gauge.builder("homeport.pin.near.cache.entries", pins, p -> p.nearCacheSize())
                .description("Users the pin near-cache holds (pins and known absences)").register(registry);
    }

    /** The serving GeoIP database's build time (Unix seconds), read at each scrape. */
    public void bindGeoIpBuildTime(DoubleSupplier epochSeconds) {
        Gauge.builder("homeport.geoip.database.build.timestamp", epochSeconds, DoubleSupplier::getAsDouble)
                .strongReference(true).baseUnit("seconds")
                .description("When the serving GeoIP database was built (its metadata's build epoch, Unix time)")
                .register(registry);
    }

    /** One row of {@code homeport_upstream_endpoint_up}: an endpoint the rules name, and whether it may take requests. */
    public record EndpointState(String region, String endpoint, boolean up) {}

    /**
     * Endpoint health by region and endpoint ({@code homeport_upstream_endpoint_up}, 1 or 0): the rows
     * are taken again before each scrape, so endpoints a reload removed disappear.
     */
    public void bindEndpointHealth(Supplier<List<EndpointState>> endpoints) {
        MultiGauge gauge = MultiGauge.builder("homeport.upstream.endpoint.up")
                .description("1 when the endpoint may take requests (active checks pass, not ejected), else 0")
                .register(registry);
        beforeScrape.add(() -> gauge.register(endpoints.get().stream()
                .map(state -> MultiGauge.Row.of(Tags.of("region", state.region(), "endpoint", state.endpoint()),
                        state.up() ? 1 : 0))
                .toList(), true));
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        beforeScrape.forEach(Runnable::run);
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

    /** Per migration name: its requests served from {@code to} (moved), by a pin, and from the source. */
    private final java.util.concurrent.ConcurrentHashMap<String, Counter[]> migrationSides = new java.util.concurrent.ConcurrentHashMap<>();
    static final String[] MIGRATION_SIDES = {"moved", "pinned", "source"};

    /**
     * A request of a country in {@code migration} (null: none): {@code homeport_migration_requests_total
     * {migration, side}}, where side is moved (its bucket is cut over), pinned, or source.
     */
    public void migrationRequest(Decision decision, io.homeport.rules.Migration migration) {
        if (migration == null || decision.refused()) {
            return;
        }
        Counter[] sides = migrationSides.get(migration.name());
        if (sides == null) {
            sides = migrationSides.computeIfAbsent(migration.name(), name -> {
                Counter[] made = new Counter[MIGRATION_SIDES.length];
                for (int i = 0; i < made.length; i++) {
                    made[i] = Counter.builder("homeport.migration.requests")
                            .description("Requests of a migration's countries, by side: moved (served from its to region), pinned, source")
                            .tags("migration", name, "side", MIGRATION_SIDES[i]).register(registry);
                }
                return made;
            });
        }
        sides[decision.reason() == Reason.MIGRATION ? 0 : decision.reason() == Reason.PIN ? 1 : 2].increment();
    }

    public void configReload(String kind, boolean success) {
        count("homeport.config.reloads", "kind", kind, "result", success ? "success" : "failure");
        lastReloadSuccessful = success ? 1 : 0;
        if (success) {
            lastReloadSuccessSeconds = Instant.now().toEpochMilli() / 1000.0;
        }
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

    /** A new connection to an endpoint of {@code region} opened in {@code nanos}. */
    public void upstreamConnected(String region, long nanos) {
        upstreamTimer(upstreamConnect, "homeport.upstream.connect.duration",
                "Time to open a new connection to an upstream endpoint, by region", region)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A response head from {@code region} came {@code nanos} after its request was sent. */
    public void upstreamResponded(String region, long nanos) {
        upstreamTimer(upstreamResponse, "homeport.upstream.response.duration",
                "Time from sending a request upstream to its response head, by region", region)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer upstreamTimer(Map<String, Timer> timers, String name, String description, String region) {
        Timer timer = timers.get(region);
        if (timer == null) {
            timer = timers.computeIfAbsent(region, r -> Timer.builder(name).description(description).tag("region", r)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry));
        }
        return timer;
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
