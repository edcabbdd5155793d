package io.homeport.server;

import io.homeport.accesslog.AccessLog;
import io.homeport.accesslog.UserHashKey;
import io.homeport.admin.AdminServer;
import io.homeport.admin.Readiness;
import io.homeport.canary.TrafficSample;
import io.homeport.config.GatewayConfig;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.metrics.GatewayMetrics;
import io.homeport.netty.Transports;
import io.homeport.proxy.ClientAddressResolver;
import io.homeport.proxy.Drain;
import io.homeport.proxy.ExchangeListener;
import io.homeport.proxy.ProxyContext;
import io.homeport.reload.ConfigReloader;
import io.homeport.reload.ServingConfig;
import io.homeport.reload.SnapshotHolder;
import io.homeport.rules.InvalidRulesException;
import io.homeport.upstream.ActiveHealthChecker;
import io.homeport.upstream.RegionSelector;
import io.homeport.upstream.RetryBudget;
import io.homeport.upstream.UpstreamConnections;
import io.homeport.upstream.UpstreamHealth;
import io.homeport.upstream.UpstreamResolver;
import io.netty.channel.EventLoopGroup;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: proxy listeners, admin listener, hot reload, metrics and access log, started
 * together and stopped gracefully: not ready, stop accepting, drain, close.
 */
public final class Homeport implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(Homeport.class);

    /**
     * How to run: the deployment configuration, and what is not a key of it.
     *
     * @param userHashKey the key of the user-id hash in the access log
     * @param reloadPollInterval how often files are checked when file watching misses a change
     * @param accessLogStream where access-log lines go instead of {@code config.accessLog()}, or null
     *     to follow it (the demo and tests write to their own streams)
     */
    public record Options(GatewayConfig config, UserHashKey userHashKey, Duration reloadPollInterval,
            OutputStream accessLogStream) {

        public Options {
            java.util.Objects.requireNonNull(config, "config");
            java.util.Objects.requireNonNull(userHashKey, "userHashKey");
        }

        /** As {@code homeport run} starts: everything from the configuration; files checked every 5 s. */
        public static Options from(GatewayConfig config, UserHashKey userHashKey) {
            return new Options(config, userHashKey, Duration.ofSeconds(5), null);
        }

        /** With the demo's user-hash key, for the demo and tests. */
        public static Options forDemo(GatewayConfig config, Duration reloadPollInterval, OutputStream accessLogStream) {
            return new Options(config, UserHashKey.DEMO, reloadPollInterval, accessLogStream);
        }
    }

    private final Options options;
    private final Transports transports;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final Readiness readiness = new Readiness();
    private final SnapshotHolder holder;
    private final ConfigReloader reloader;
    private final AccessLog accessLog;
    private final InFlightRequests inFlight;
    private final Drain drain = new Drain();
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final TrafficSample trafficSample;
    /** How often the traffic sample's counts are halved: a request weighs half after a minute. */
    static final Duration SAMPLE_AGING = Duration.ofMinutes(1);
    private final UpstreamHealth upstreamHealth;
    private final ActiveHealthChecker healthChecker;
    private final ProxyServer proxyServer;
    private final AdminServer adminServer;
    private List<InetSocketAddress> proxyAddresses = List.of();
    private InetSocketAddress adminAddress;
    /** The pin directory of {@code directory.redis}, or null. */
    private final io.homeport.directory.PinDirectory pins;
    private boolean stopped;

    private Homeport(Options options, ServingConfig initial, io.homeport.directory.PinDirectory pins) throws IOException {
        this.options = options;
        this.pins = pins;
        GatewayConfig config = options.config();
        this.transports = config.transport() == GatewayConfig.Transport.AUTO ? Transports.best()
                : Transports.of(Transports.Kind.valueOf(config.transport().name()));
        this.acceptors = transports.newGroup(1, "homeport-accept");
        this.workers = transports.newGroup(options.config().workers(), "homeport-io");
        this.holder = new SnapshotHolder(initial);
        this.accessLog = openAccessLog(options);
        this.trafficSample = new TrafficSample(accessLog == null ? ExchangeListener.NONE : accessLog, options.userHashKey());
        this.inFlight = new InFlightRequests(new StartupSettling(trafficSample));
        this.reloader = new ConfigReloader(config.rules(), config.geoip().database(), config.geoip().cacheMaxEntries(), holder,
                metrics, options.reloadPollInterval(), config.reload(), trafficSample::entries);
        reloader.externalPins(pins);
        // Each event loop ages its own table of the sample: no lock, and the sample follows recent traffic.
        for (EventExecutor loop : workers) {
            loop.scheduleAtFixedRate(trafficSample::age, SAMPLE_AGING.toSeconds(), SAMPLE_AGING.toSeconds(), TimeUnit.SECONDS);
        }
        this.upstreamHealth = new UpstreamHealth(config.health());
        this.resolver = UpstreamResolver.create(transports, config.resolver().nameservers());
        this.healthChecker = new ActiveHealthChecker(upstreamHealth, this::currentEndpoints, transports, resolver, state -> {});
        ClientAddressResolver clientAddresses = new ClientAddressResolver(config.clientIp().trustedProxies());
        io.homeport.proxy.PinPrefetch prefetch = pins == null ? io.homeport.proxy.PinPrefetch.NONE : pins::prefetch;
        ProxyContext proxy = new ProxyContext(holder, clientAddresses,
                new RegionSelector(upstreamHealth), new RetryBudget(0.2, 10),
                new UpstreamConnections(transports, config.upstream(), resolver), metrics, inFlight, drain, prefetch);
        if (pins != null) {
            metrics.bindPinDirectory(pins);
        }
        this.proxyServer = new ProxyServer(config.listeners(), proxy, config.proxy(), transports, acceptors, workers,
                options.reloadPollInterval());
        this.adminServer = new AdminServer(config.admin().listen(), config.admin().token(), transports, acceptors, holder, metrics, reloader, readiness,
                trafficSample, clientAddresses, prefetch);
        metrics.bindTraffic(proxyServer::clientConnections, inFlight::count);
        metrics.bindGeoIpBuildTime(() -> holder.current().database().buildTime().toEpochMilli() / 1000.0);
        metrics.bindEndpointHealth(this::endpointStates);
    }

    /** Every endpoint the current rules name, by region, and whether it may take requests now. */
    private List<GatewayMetrics.EndpointState> endpointStates() {
        long now = System.nanoTime();
        return holder.current().snapshot().rules().regions().values().stream()
                .flatMap(region -> region.endpoints().stream().map(endpoint -> new GatewayMetrics.EndpointState(
                        region.name(), endpoint.toString(), upstreamHealth.of(endpoint).isAvailable(now))))
                .toList();
    }

    /** The access log the options ask for: their stream, else the configuration's destination; null when off. */
    private static AccessLog openAccessLog(Options options) throws IOException {
        OutputStream out = options.accessLogStream();
        if (out == null) {
            GatewayConfig.AccessLog destination = options.config().accessLog();
            out = switch (destination.destination()) {
                case OFF -> null;
                case STDOUT -> System.out;
                case FILE -> java.nio.file.Files.newOutputStream(destination.file().orElseThrow(),
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            };
        }
        return out == null ? null : new AccessLog(out, options.userHashKey());
    }

    /** Loads the configuration (failing fast on any problem), binds every listener and starts hot reload. */
    public static Homeport start(Options options)
            throws InvalidRulesException, InvalidGeoIpDatabaseException, IOException, InterruptedException {
        io.homeport.directory.PinDirectory pins = null;
        if (options.config().directory().redis().isPresent()) {
            io.homeport.directory.PinDirectory.Settings settings = options.config().directory().redis().get();
            try {
                pins = io.homeport.directory.PinDirectory.connect(settings, java.time.Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                // Pins it cannot read or keep current: the gateway does not start rather than guess regions.
                throw new DirectoryUnavailableException("directory.redis: cannot reach " + settings.uris() + ": "
                        + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
            }
        }
        ServingConfig initial;
        try {
            initial = ConfigReloader.load(options.config().rules(), options.config().geoip().database(),
                    options.config().geoip().cacheMaxEntries(), pins);
        } catch (InvalidRulesException | InvalidGeoIpDatabaseException | RuntimeException e) {
            if (pins != null) {
                pins.close();
            }
            throw e;
        }
        Homeport homeport = new Homeport(options, initial, pins);
        try {
            homeport.proxyAddresses = homeport.proxyServer.start();
            homeport.adminAddress = homeport.adminServer.start();
            homeport.reloader.start();
            homeport.healthChecker.start();
        } catch (IOException | InterruptedException | RuntimeException e) {
            homeport.close();
            throw e;
        }
        homeport.readiness.markReady();
        logger.info("homeport serving on {} (admin {}, transport {}), rules {}, GeoIP {}", homeport.proxyAddresses,
                homeport.adminAddress, homeport.transports.name(), options.config().rules(), initial.database().description());
        return homeport;
    }

    /** The pin store of {@code directory.redis} could not be reached at start. */
    public static final class DirectoryUnavailableException extends IOException {
        DirectoryUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public List<InetSocketAddress> proxyAddresses() {
        return proxyAddresses;
    }

    public InetSocketAddress adminAddress() {
        return adminAddress;
    }

    public SnapshotHolder config() {
        return holder;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public ConfigReloader reloader() {
        return reloader;
    }

    /** The sample of recent traffic the reload canary decides. */
    public TrafficSample trafficSample() {
        return trafficSample;
    }

    public Readiness readiness() {
        return readiness;
    }

    public UpstreamHealth upstreamHealth() {
        return upstreamHealth;
    }

    /** Every endpoint the current rules name: what the health checker checks. */
    private java.util.Collection<io.homeport.rules.Endpoint> currentEndpoints() {
        return holder.current().snapshot().rules().regions().values().stream()
                .flatMap(region -> region.endpoints().stream())
                .distinct()
                .toList();
    }

    public int inFlightRequests() {
        return inFlight.count();
    }

    /**
     * Graceful shutdown: /readyz turns 503, the listeners stop accepting, requests in flight get up
     * to the drain timeout to finish and their answers to reach their clients, then everything closes.
     */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        readiness.markDraining();
        proxyServer.stopAccepting();
        // Keep-alive clients are told to reconnect (elsewhere): answers say Connection: close,
        // idle connections close now, HTTP/2 connections get GOAWAY.
        drain.start();
        proxyServer.drainClients();
        Duration drainTimeout = options.config().proxy().drainTimeout();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        try {
            if (!inFlight.awaitDrained(drainTimeout)) {
                logger.warn("{} requests still in flight after {}; closing them", inFlight.count(), drainTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The answers' last bytes may still be on their way: the rest of the drain timeout is theirs.
        int cut = proxyServer.closeClients(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (cut > 0) {
            logger.warn("{} client connections still had bytes to send after {}; closed them", cut, drainTimeout);
        }
        healthChecker.close();
        adminServer.close();
        reloader.close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        resolver.close();
        if (pins != null) {
            pins.close();
        }
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (accessLog != null) {
            try {
                accessLog.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        logger.info("homeport stopped");
    }
}
