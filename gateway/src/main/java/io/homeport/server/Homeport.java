package io.homeport.server;

import io.homeport.netty.Transports;
import io.homeport.accesslog.AccessLog;
import io.homeport.accesslog.UserHashKey;
import io.homeport.admin.AdminServer;
import io.homeport.admin.Readiness;
import io.homeport.canary.TrafficSample;
import io.homeport.config.Cidr;
import io.homeport.config.GatewayConfig;
import io.homeport.config.HostAndPort;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.metrics.GatewayMetrics;
import io.homeport.proxy.ClientAddressResolver;
import io.homeport.proxy.ExchangeListener;
import io.homeport.proxy.ProxyContext;
import io.homeport.proxy.ProxySettings;
import io.homeport.reload.ConfigReloader;
import io.homeport.reload.ReloadSettings;
import io.homeport.reload.ServingConfig;
import io.homeport.reload.SnapshotHolder;
import io.homeport.rules.InvalidRulesException;
import io.homeport.upstream.ActiveHealthChecker;
import io.homeport.upstream.HealthSettings;
import io.homeport.upstream.RegionSelector;
import io.homeport.upstream.RetryBudget;
import io.homeport.upstream.UpstreamHealth;
import io.homeport.upstream.UpstreamConnections;
import io.homeport.upstream.UpstreamTimeouts;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
     * How to run.
     *
     * @param adminToken the bearer token admin requests must carry (see {@link AdminServer}), or empty
     * @param accessLog where JSON access log lines go, or null for none
     * @param reloadPollInterval how often files are checked when file watching misses a change
     */
    public record Options(
            List<GatewayConfig.Listener> listeners,
            HostAndPort admin,
            Optional<String> adminToken,
            Path rules,
            Path geoip,
            long geoipCacheMaxEntries,
            List<Cidr> trustedProxies,
            ProxySettings proxySettings,
            UpstreamTimeouts upstreamTimeouts,
            HealthSettings health,
            OutputStream accessLog,
            Duration reloadPollInterval,
            int ioThreads,
            ReloadSettings reload,
            UserHashKey userHashKey) {

        /** With the default canary limits and the demo's user-hash key: for the demo and tests. */
        public Options(List<GatewayConfig.Listener> listeners, HostAndPort admin, Optional<String> adminToken, Path rules,
                Path geoip, long geoipCacheMaxEntries, List<Cidr> trustedProxies, ProxySettings proxySettings,
                UpstreamTimeouts upstreamTimeouts, HealthSettings health, OutputStream accessLog, Duration reloadPollInterval,
                int ioThreads) {
            this(listeners, admin, adminToken, rules, geoip, geoipCacheMaxEntries, trustedProxies, proxySettings,
                    upstreamTimeouts, health, accessLog, reloadPollInterval, ioThreads, ReloadSettings.DEFAULTS, UserHashKey.DEMO);
        }

        public static Options from(GatewayConfig config, OutputStream accessLog, UserHashKey userHashKey) {
            return new Options(
                    config.listeners(),
                    config.admin().listen(),
                    config.admin().token(),
                    config.rules(),
                    config.geoip().database(),
                    config.geoip().cacheMaxEntries(),
                    config.clientIp().trustedProxies(),
                    config.proxy(),
                    config.upstream(),
                    config.health(),
                    accessLog,
                    Duration.ofSeconds(5),
                    0,
                    config.reload(),
                    userHashKey);
        }
    }

    private final Options options;
    private final Transports transports = Transports.best();
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final Readiness readiness = new Readiness();
    private final SnapshotHolder holder;
    private final ConfigReloader reloader;
    private final AccessLog accessLog;
    private final InFlightRequests inFlight;
    private final TrafficSample trafficSample;
    /** How often the traffic sample's counts are halved: a request weighs half after a minute. */
    static final Duration SAMPLE_AGING = Duration.ofMinutes(1);
    private final UpstreamHealth upstreamHealth;
    private final ActiveHealthChecker healthChecker;
    private final ProxyServer proxyServer;
    private final AdminServer adminServer;
    private List<InetSocketAddress> proxyAddresses = List.of();
    private InetSocketAddress adminAddress;
    private boolean stopped;

    private Homeport(Options options, ServingConfig initial) {
        this.options = options;
        this.acceptors = transports.newGroup(1, "homeport-accept");
        this.workers = transports.newGroup(options.ioThreads(), "homeport-io");
        this.holder = new SnapshotHolder(initial);
        this.accessLog = options.accessLog() == null ? null : new AccessLog(options.accessLog(), options.userHashKey());
        this.trafficSample = new TrafficSample(accessLog == null ? ExchangeListener.NONE : accessLog, options.userHashKey());
        this.inFlight = new InFlightRequests(trafficSample);
        this.reloader = new ConfigReloader(options.rules(), options.geoip(), options.geoipCacheMaxEntries(), holder, metrics,
                options.reloadPollInterval(), options.reload(), trafficSample::entries);
        // Each event loop ages its own table of the sample: no lock, and the sample follows recent traffic.
        for (EventExecutor loop : workers) {
            loop.scheduleAtFixedRate(trafficSample::age, SAMPLE_AGING.toSeconds(), SAMPLE_AGING.toSeconds(), TimeUnit.SECONDS);
        }
        this.upstreamHealth = new UpstreamHealth(options.health());
        this.healthChecker = new ActiveHealthChecker(upstreamHealth, this::currentEndpoints, transports, state -> {});
        ClientAddressResolver clientAddresses = new ClientAddressResolver(options.trustedProxies());
        ProxyContext proxy = new ProxyContext(holder, clientAddresses,
                new RegionSelector(upstreamHealth), new RetryBudget(0.2, 10),
                new UpstreamConnections(transports, options.upstreamTimeouts()), metrics, inFlight);
        this.proxyServer = new ProxyServer(options.listeners(), proxy, options.proxySettings(), transports, acceptors, workers,
                options.reloadPollInterval());
        this.adminServer = new AdminServer(options.admin(), options.adminToken(), transports, acceptors, holder, metrics, reloader, readiness,
                trafficSample, clientAddresses);
    }

    /** Loads the configuration (failing fast on any problem), binds every listener and starts hot reload. */
    public static Homeport start(Options options)
            throws InvalidRulesException, InvalidGeoIpDatabaseException, IOException, InterruptedException {
        ServingConfig initial = ConfigReloader.load(options.rules(), options.geoip(), options.geoipCacheMaxEntries());
        Homeport homeport = new Homeport(options, initial);
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
                homeport.adminAddress, homeport.transports.name(), options.rules(), initial.database().description());
        return homeport;
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
     * to the drain timeout to finish, then everything closes.
     */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        readiness.markDraining();
        proxyServer.stopAccepting();
        try {
            if (!inFlight.awaitDrained(options.proxySettings().drainTimeout())) {
                logger.warn("{} requests still in flight after {}; closing them", inFlight.count(),
                        options.proxySettings().drainTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        proxyServer.closeClients();
        healthChecker.close();
        adminServer.close();
        reloader.close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
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
