package io.homeport.config;

import io.homeport.net.Cidr;
import io.homeport.net.HostAndPort;
import io.homeport.proxy.ProxySettings;
import io.homeport.reload.ReloadSettings;
import io.homeport.upstream.HealthSettings;
import io.homeport.upstream.UpstreamTimeouts;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The deployment file, gateway.yaml: read once at start, changed by platform engineers. Paths are
 * already resolved against the file's own directory.
 *
 * @param source the file it was read from; null for a configuration built in code (the demo, tests)
 * @param workers event loops serving clients ({@code workers}; {@code auto}: the CPUs this process may use)
 * @param accessLog where access-log lines go ({@code access_log.path})
 * @param transport the socket transport ({@code transport}; {@code auto}: the best this machine offers)
 */
public record GatewayConfig(
        Path source,
        List<Listener> listeners,
        Admin admin,
        Path rules,
        GeoIp geoip,
        ClientIp clientIp,
        ProxySettings proxy,
        UpstreamTimeouts upstream,
        HealthSettings health,
        ReloadSettings reload,
        Audit audit,
        int workers,
        AccessLog accessLog,
        Transport transport,
        LogFormat logFormat,
        Resolver resolver,
        Directory directory) {

    public static final HostAndPort DEFAULT_LISTEN = new HostAndPort("0.0.0.0", 8080);
    public static final HostAndPort DEFAULT_ADMIN = new HostAndPort("127.0.0.1", 9901);

    public GatewayConfig {
        listeners = List.copyOf(listeners);
        if (workers < 1) {
            throw new IllegalArgumentException("workers: " + workers + " (expected: > 0)");
        }
    }

    /**
     * The defaults of every key, for a configuration built in code: one cleartext listener on
     * {@code 0.0.0.0:8080}, the admin API on loopback, {@code workers: auto}, the access log on stdout.
     */
    public static GatewayConfig of(Path rules, Path geoipDatabase) {
        return new GatewayConfig(null, List.of(new Listener(DEFAULT_LISTEN, Optional.empty(), false)),
                new Admin(DEFAULT_ADMIN, Optional.empty()), rules,
                new GeoIp(geoipDatabase, io.homeport.geoip.CachingGeoLookup.DEFAULT_MAX_ENTRIES), new ClientIp(List.of()),
                ProxySettings.DEFAULTS, UpstreamTimeouts.DEFAULTS, HealthSettings.DEFAULTS, ReloadSettings.DEFAULTS, Audit.NONE,
                autoWorkers(), AccessLog.STDOUT, Transport.AUTO, LogFormat.TEXT, Resolver.SYSTEM, Directory.NONE);
    }

    /**
     * {@code workers: auto}: the CPUs this process may use, as the JVM counts them (its CPU affinity
     * mask and its cgroup's CPU quota), like nginx's {@code worker_processes auto}.
     */
    public GatewayConfig withDirectory(Directory directory) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    /**
     * {@code directory: {redis: {uris, lookup_timeout, near_cache: {max_entries, ttl}}}}: where the
     * rules' {@code residency.users.source: redis} pins are. Empty: no pin store.
     */
    public record Directory(Optional<io.homeport.directory.PinDirectory.Settings> redis) {
        public static final Directory NONE = new Directory(Optional.empty());
        public static final java.time.Duration DEFAULT_LOOKUP_TIMEOUT = java.time.Duration.ofMillis(25);
        public static final long DEFAULT_NEAR_CACHE_MAX_ENTRIES = 1_000_000;
        public static final java.time.Duration DEFAULT_NEAR_CACHE_TTL = java.time.Duration.ofMinutes(5);
    }

    public static int autoWorkers() {
        return Runtime.getRuntime().availableProcessors();
    }

    public GatewayConfig withListeners(List<Listener> listeners) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    public GatewayConfig withAdmin(Admin admin) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    public GatewayConfig withGeoIp(GeoIp geoip) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    public GatewayConfig withClientIp(ClientIp clientIp) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    public GatewayConfig withProxy(ProxySettings proxy) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    public GatewayConfig withUpstream(UpstreamTimeouts upstream) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    public GatewayConfig withHealth(HealthSettings health) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    public GatewayConfig withWorkers(int workers) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    public GatewayConfig withAccessLog(AccessLog accessLog) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    public GatewayConfig withTransport(Transport transport) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    public GatewayConfig withLogFormat(LogFormat logFormat) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    public GatewayConfig withResolver(Resolver resolver) {
        return new GatewayConfig(source, listeners, admin, rules, geoip, clientIp, proxy, upstream, health, reload, audit,
                workers, accessLog, transport, logFormat, resolver, directory);
    }

    /**
     * {@code resolver: {nameservers: [HOST:PORT, ...]}}: the DNS servers that resolve endpoints named
     * by DNS; none (the default) means the system's, from {@code /etc/resolv.conf}.
     */
    public record Resolver(List<HostAndPort> nameservers) {
        public static final Resolver SYSTEM = new Resolver(List.of());

        public Resolver {
            nameservers = List.copyOf(nameservers);
        }
    }

    /**
     * {@code logging: {format: text | json}}: the operational log (stderr) as lines for people, or
     * as one JSON object a line for container log pipelines. The access log is JSON either way.
     */
    public enum LogFormat {
        TEXT, JSON;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * {@code transport: auto | io_uring | epoll | nio}: how the gateway does socket I/O. {@code auto}
     * takes io_uring where the kernel and sandbox allow it, else epoll, else NIO; naming one that
     * is not available stops the start with the reason.
     */
    public enum Transport {
        AUTO, IO_URING, EPOLL, NIO;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * {@code access_log: {path: stdout | off | FILE}}: where the JSON access-log lines go. A file is
     * opened for appending; rotate it with copytruncate (or log to stdout and let the platform collect it).
     */
    public record AccessLog(Destination destination, Optional<Path> file) {
        public static final AccessLog STDOUT = new AccessLog(Destination.STDOUT, Optional.empty());
        public static final AccessLog OFF = new AccessLog(Destination.OFF, Optional.empty());

        public enum Destination { STDOUT, FILE, OFF }

        public AccessLog {
            if ((destination == Destination.FILE) != file.isPresent()) {
                throw new IllegalArgumentException("a file destination, and only it, names a file");
            }
        }

        public static AccessLog file(Path file) {
            return new AccessLog(Destination.FILE, Optional.of(file));
        }
    }

    /**
     * {@code audit:}: the key file of the user-id hash in access logs ({@code user_hash_key_file});
     * {@code homeport run} refuses to start without one.
     */
    public record Audit(Optional<Path> userHashKeyFile) {
        public static final Audit NONE = new Audit(Optional.empty());
    }

    /**
     * A proxy listener.
     *
     * @param trustedProxies the peers whose X-Forwarded-For and Forwarded this listener believes
     *     ({@code listen[].client_ip.trusted_proxies}); empty: the global {@code client_ip}'s
     * @param proxyProtocolTrusted with {@code proxyProtocol}, the peers a PROXY header is taken from
     *     ({@code listen[].proxy_protocol: {trusted: [...]}}); any other peer's connection is closed.
     *     Empty: from any peer ({@code proxy_protocol: true}), for a listener only the balancer reaches
     */
    public record Listener(HostAndPort address, Optional<Tls> tls, boolean proxyProtocol, Optional<List<Cidr>> trustedProxies,
            List<Cidr> proxyProtocolTrusted) {

        public Listener {
            trustedProxies = trustedProxies.map(List::copyOf);
            proxyProtocolTrusted = List.copyOf(proxyProtocolTrusted);
        }

        public Listener(HostAndPort address, Optional<Tls> tls, boolean proxyProtocol) {
            this(address, tls, proxyProtocol, Optional.empty(), List.of());
        }
    }

    /** TLS termination with one or more certificates, chosen by SNI. */
    public record Tls(List<Certificate> certificates) {
        public Tls {
            certificates = List.copyOf(certificates);
        }
    }

    /** A PEM certificate chain and its private key. */
    public record Certificate(Path cert, Path key) {}

    /**
     * The admin listener.
     *
     * @param token the bearer token admin requests must carry; required when {@code listen} is not loopback
     */
    public record Admin(HostAndPort listen, Optional<String> token) {}

    /** The GeoIP database and the cache in front of it. */
    public record GeoIp(Path database, long cacheMaxEntries) {}

    /** Which peers may tell us the client's address through X-Forwarded-For or Forwarded. */
    public record ClientIp(List<Cidr> trustedProxies) {
        public ClientIp {
            trustedProxies = List.copyOf(trustedProxies);
        }
    }
}
