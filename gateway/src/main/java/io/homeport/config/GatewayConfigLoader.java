package io.homeport.config;

import io.homeport.geoip.CachingGeoLookup;
import io.homeport.net.Cidr;
import io.homeport.net.HostAndPort;
import io.homeport.proxy.ProxySettings;
import io.homeport.reload.ReloadSettings;
import io.homeport.routing.IpAddresses;
import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.internal.Problems;
import io.homeport.rules.internal.SafeYaml;
import io.homeport.rules.internal.YamlMap;
import io.homeport.upstream.HealthSettings;
import io.homeport.upstream.UpstreamTimeouts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Reads gateway.yaml with the same positioned, all-at-once error reporting as the rules file. */
public final class GatewayConfigLoader {

    static final Set<String> ROOT_KEYS = Set.of("listen", "admin", "rules", "geoip", "client_ip", "proxy", "upstream", "health",
            "reload", "audit", "workers", "access_log", "transport", "logging", "resolver", "directory");
    static final Set<String> DIRECTORY_KEYS = Set.of("redis");
    static final Set<String> REDIS_KEYS = Set.of("uris", "lookup_timeout", "near_cache");
    static final Set<String> NEAR_CACHE_KEYS = Set.of("max_entries", "ttl");
    static final Set<String> RESOLVER_KEYS = Set.of("nameservers");
    static final Set<String> LOGGING_KEYS = Set.of("format");
    static final Set<String> ACCESS_LOG_KEYS = Set.of("path");
    static final Set<String> AUDIT_KEYS = Set.of("user_hash_key_file");
    static final Set<String> RELOAD_KEYS = Set.of("max_region_change", "max_rules_region_change");
    static final Set<String> HEALTH_KEYS = Set.of("path", "interval", "timeout", "healthy_threshold", "unhealthy_threshold",
            "eject_after_failures", "ejection_time");
    static final Set<String> PROXY_KEYS = Set.of("max_request_line_bytes", "max_header_bytes", "max_header_count",
            "request_header_timeout", "client_idle_timeout", "drain_timeout", "max_request_body_bytes",
            "headers_with_underscores", "direct_path");
    static final Set<String> UPSTREAM_KEYS = Set.of("connect_timeout", "response_timeout", "idle_timeout");
    static final Set<String> LISTENER_KEYS = Set.of("address", "tls", "proxy_protocol", "client_ip");
    static final Set<String> PROXY_PROTOCOL_KEYS = Set.of("trusted");
    static final Set<String> TLS_KEYS = Set.of("certificates");
    static final Set<String> CERTIFICATE_KEYS = Set.of("cert", "key");
    static final Set<String> ADMIN_KEYS = Set.of("listen", "token");
    static final Set<String> GEOIP_KEYS = Set.of("database", "cache");
    static final Set<String> CACHE_KEYS = Set.of("max_entries");
    static final Set<String> CLIENT_IP_KEYS = Set.of("trusted_proxies");

    public static final HostAndPort DEFAULT_LISTEN = GatewayConfig.DEFAULT_LISTEN;
    public static final HostAndPort DEFAULT_ADMIN = GatewayConfig.DEFAULT_ADMIN;

    private GatewayConfigLoader() {}

    public static GatewayConfig load(Path file) throws InvalidRulesException {
        Problems problems = new Problems(file.toString());
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            problems.atLine(1, 1, "no such file");
            throw new InvalidRulesException(problems.list());
        } catch (IOException e) {
            problems.atLine(1, 1, "cannot read: " + e.getMessage());
            throw new InvalidRulesException(problems.list());
        }
        Node root = SafeYaml.parse(text, problems).orElse(null);
        if (root == null) {
            throw new InvalidRulesException(problems.list());
        }
        Path base = file.toAbsolutePath().getParent();
        YamlMap top = YamlMap.read("gateway", root, ROOT_KEYS, problems);

        List<GatewayConfig.Listener> listeners = readListeners(top, base, problems);
        GatewayConfig.Admin admin = readAdmin(top, problems);
        Optional<Path> rules = top.requireString("rules").map(name -> base.resolve(name).normalize());
        GatewayConfig.GeoIp geoip = readGeoIp(top, base, problems);
        GatewayConfig.ClientIp clientIp = readClientIp(top, problems);
        ProxySettings proxy = readProxy(top, problems);
        UpstreamTimeouts upstream = readUpstream(top, problems);
        HealthSettings health = readHealth(top, problems);
        ReloadSettings reload = readReload(top, problems);
        GatewayConfig.Audit audit = readAudit(top, base, problems);
        int workers = readWorkers(top, problems);
        GatewayConfig.AccessLog accessLog = readAccessLog(top, base, problems);
        GatewayConfig.Transport transport = readTransport(top, problems);
        GatewayConfig.LogFormat logFormat = readLogFormat(top, problems);
        GatewayConfig.Resolver resolver = readResolver(top, problems);
        GatewayConfig.Directory directory = readDirectory(top, problems);

        problems.throwIfAny();
        return new GatewayConfig(file, listeners, admin, rules.orElseThrow(), geoip, clientIp, proxy, upstream, health, reload,
                audit, workers, accessLog, transport, logFormat, resolver, directory);
    }

    /** {@code directory: {redis: {uris: [redis://...], lookup_timeout: 25ms, near_cache: {max_entries, ttl}}}}. */
    private static GatewayConfig.Directory readDirectory(YamlMap top, Problems problems) {
        Optional<Node> node = top.value("directory");
        if (node.isEmpty()) {
            return GatewayConfig.Directory.NONE;
        }
        YamlMap directory = YamlMap.read("directory", node.get(), DIRECTORY_KEYS, problems);
        Optional<Node> redisNode = directory.value("redis");
        if (redisNode.isEmpty()) {
            return GatewayConfig.Directory.NONE;
        }
        YamlMap redis = YamlMap.read("directory.redis", redisNode.get(), REDIS_KEYS, problems);
        List<String> uris = new ArrayList<>();
        for (Node item : redis.list("uris")) {
            YamlMap.scalar("directory.redis.uris", item, problems).ifPresent(text -> {
                if (text.startsWith("redis://") || text.startsWith("rediss://")) {
                    uris.add(text);
                } else {
                    problems.at(item, "directory.redis.uris: \"" + text + "\" (expected redis://host:port or rediss://host:port)");
                }
            });
        }
        if (uris.isEmpty()) {
            problems.at(redisNode.get(), "directory.redis.uris: at least one redis://host:port (a node, or a cluster's seed nodes)");
            return GatewayConfig.Directory.NONE;
        }
        java.time.Duration lookupTimeout = duration(redis, "lookup_timeout", GatewayConfig.Directory.DEFAULT_LOOKUP_TIMEOUT, problems);
        long maxEntries = GatewayConfig.Directory.DEFAULT_NEAR_CACHE_MAX_ENTRIES;
        java.time.Duration ttl = GatewayConfig.Directory.DEFAULT_NEAR_CACHE_TTL;
        Optional<Node> nearCacheNode = redis.value("near_cache");
        if (nearCacheNode.isPresent()) {
            YamlMap nearCache = YamlMap.read("directory.redis.near_cache", nearCacheNode.get(), NEAR_CACHE_KEYS, problems);
            Optional<String> entries = nearCache.string("max_entries");
            if (entries.isPresent()) {
                try {
                    maxEntries = Long.parseLong(entries.get().replace("_", ""));
                } catch (NumberFormatException e) {
                    maxEntries = -1;
                }
                if (maxEntries < 0 || maxEntries > 100_000_000) {
                    problems.at(nearCache.value("max_entries").get(), "directory.redis.near_cache.max_entries: " + entries.get()
                            + " (expected 0..100000000)");
                }
            }
            ttl = duration(nearCache, "ttl", ttl, problems);
        }
        if (!problems.isEmpty()) {
            return GatewayConfig.Directory.NONE;
        }
        return new GatewayConfig.Directory(Optional.of(new io.homeport.directory.PinDirectory.Settings(uris, lookupTimeout, maxEntries, ttl)));
    }

    /** {@code resolver: {nameservers: [10.0.0.2, "127.0.0.1:5353"]}}: port 53 unless given. */
    private static GatewayConfig.Resolver readResolver(YamlMap top, Problems problems) {
        Optional<Node> node = top.value("resolver");
        if (node.isEmpty()) {
            return GatewayConfig.Resolver.SYSTEM;
        }
        YamlMap resolver = YamlMap.read("resolver", node.get(), RESOLVER_KEYS, problems);
        List<HostAndPort> servers = new ArrayList<>();
        for (Node item : resolver.list("nameservers")) {
            YamlMap.scalar("resolver.nameservers", item, problems).ifPresent(text -> {
                Optional<HostAndPort> server = IpAddresses.parseLiteral(text).isPresent()
                        ? Optional.of(new HostAndPort(text, 53)) : HostAndPort.parse(text);
                if (server.isEmpty() || IpAddresses.parseLiteral(server.get().host().replace("[", "").replace("]", "")).isEmpty()) {
                    problems.at(item, "resolver.nameservers: \"" + text
                            + "\" (expected: an IP address, with :port when it is not 53)");
                } else {
                    servers.add(server.get());
                }
            });
        }
        return new GatewayConfig.Resolver(servers);
    }

    /** {@code logging: {format: text | json}}. */
    private static GatewayConfig.LogFormat readLogFormat(YamlMap top, Problems problems) {
        Optional<Node> node = top.value("logging");
        if (node.isEmpty()) {
            return GatewayConfig.LogFormat.TEXT;
        }
        YamlMap logging = YamlMap.read("logging", node.get(), LOGGING_KEYS, problems);
        Optional<String> format = logging.string("format");
        if (format.isEmpty()) {
            return GatewayConfig.LogFormat.TEXT;
        }
        for (GatewayConfig.LogFormat candidate : GatewayConfig.LogFormat.values()) {
            if (candidate.label().equals(format.get().trim())) {
                return candidate;
            }
        }
        problems.at(logging.value("format").get(), "logging.format: \"" + format.get() + "\" (expected: text or json)");
        return GatewayConfig.LogFormat.TEXT;
    }

    /** {@code transport: auto | io_uring | epoll | nio}. */
    private static GatewayConfig.Transport readTransport(YamlMap top, Problems problems) {
        Optional<String> text = top.string("transport");
        if (text.isEmpty()) {
            return GatewayConfig.Transport.AUTO;
        }
        for (GatewayConfig.Transport transport : GatewayConfig.Transport.values()) {
            if (transport.label().equals(text.get().trim())) {
                return transport;
            }
        }
        problems.at(top.value("transport").get(), "transport: \"" + text.get()
                + "\" (expected: auto, the best this machine offers, or io_uring, epoll or nio)");
        return GatewayConfig.Transport.AUTO;
    }

    /** {@code workers: auto | N}: the event loops that serve clients. */
    private static int readWorkers(YamlMap top, Problems problems) {
        Optional<String> text = top.string("workers");
        if (text.isEmpty() || text.get().trim().equals("auto")) {
            return GatewayConfig.autoWorkers();
        }
        String value = text.get().trim();
        if (value.length() <= 4 && !value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int workers = Integer.parseInt(value);
            if (workers >= 1 && workers <= 1024) {
                return workers;
            }
        }
        problems.at(top.value("workers").get(), "workers: \"" + value
                + "\" (expected: auto, the CPUs this process may use, or a number of event loops from 1 to 1024)");
        return GatewayConfig.autoWorkers();
    }

    /** {@code access_log: {path: stdout | off | FILE}}; a file is relative to gateway.yaml, and its directory must exist. */
    private static GatewayConfig.AccessLog readAccessLog(YamlMap top, Path base, Problems problems) {
        Optional<Node> node = top.value("access_log");
        if (node.isEmpty()) {
            return GatewayConfig.AccessLog.STDOUT;
        }
        YamlMap accessLog = YamlMap.read("access_log", node.get(), ACCESS_LOG_KEYS, problems);
        Optional<String> path = accessLog.requireString("path");
        if (path.isEmpty()) {
            return GatewayConfig.AccessLog.STDOUT;
        }
        switch (path.get()) {
            case "stdout":
                return GatewayConfig.AccessLog.STDOUT;
            case "off":
                return GatewayConfig.AccessLog.OFF;
            default:
                Path file = base.resolve(path.get()).normalize();
                if (file.getParent() == null || !Files.isDirectory(file.getParent()) || Files.isDirectory(file)) {
                    problems.at(accessLog.value("path").get(), "access_log.path: " + file
                            + " (expected: stdout, off, or a file in an existing directory)");
                    return GatewayConfig.AccessLog.STDOUT;
                }
                return GatewayConfig.AccessLog.file(file);
        }
    }

    private static GatewayConfig.Audit readAudit(YamlMap top, Path base, Problems problems) {
        Optional<Node> node = top.value("audit");
        if (node.isEmpty()) {
            return GatewayConfig.Audit.NONE;
        }
        YamlMap audit = YamlMap.read("audit", node.get(), AUDIT_KEYS, problems);
        return new GatewayConfig.Audit(existingFile(audit, "user_hash_key_file", base, problems));
    }

    /** {@code reload: {max_region_change: 1%, max_rules_region_change: 10%}}: percentages of recent requests. */
    private static ReloadSettings readReload(YamlMap top, Problems problems) {
        Optional<Node> node = top.value("reload");
        if (node.isEmpty()) {
            return ReloadSettings.DEFAULTS;
        }
        YamlMap reload = YamlMap.read("reload", node.get(), RELOAD_KEYS, problems);
        double geoip = percent(reload, "max_region_change", problems).orElse(ReloadSettings.DEFAULTS.maxRegionChange());
        return new ReloadSettings(geoip, percent(reload, "max_rules_region_change", problems));
    }

    private static OptionalDouble percent(YamlMap map, String key, Problems problems) {
        Optional<String> text = map.string(key);
        if (text.isEmpty()) {
            return OptionalDouble.empty();
        }
        String value = text.get().trim();
        try {
            double percent = Double.parseDouble(value.endsWith("%") ? value.substring(0, value.length() - 1).trim() : value);
            if (percent >= 0 && percent <= 100) {
                return OptionalDouble.of(percent / 100);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.at(map.value(key).get(), "reload." + key + ": \"" + value + "\" (expected: a percentage of recent requests, 0% to 100%, e.g. 1%)");
        return OptionalDouble.empty();
    }

    private static GatewayConfig.Admin readAdmin(YamlMap top, Problems problems) {
        Optional<Node> node = top.value("admin");
        if (node.isEmpty()) {
            return new GatewayConfig.Admin(DEFAULT_ADMIN, Optional.empty());
        }
        YamlMap admin = YamlMap.read("admin", node.get(), ADMIN_KEYS, problems);
        HostAndPort listen = address(admin, "listen", problems).orElse(DEFAULT_ADMIN);
        Optional<String> token = admin.string("token");
        token.ifPresent(t -> {
            if (t.length() < 16) {
                problems.at(admin.value("token").get(), "admin.token: too short (expected: at least 16 characters)");
            }
        });
        if (token.isEmpty() && !isLoopback(listen)) {
            problems.at(admin.keyNode("listen"), "admin.listen: " + listen
                    + " is not loopback, so admin.token is required (the admin API can reload and explain)");
        }
        return new GatewayConfig.Admin(listen, token);
    }

    private static boolean isLoopback(HostAndPort address) {
        return address.host().equals("localhost") || address.host().startsWith("127.") || address.host().equals("::1");
    }

    private static ProxySettings readProxy(YamlMap top, Problems problems) {
        ProxySettings d = ProxySettings.DEFAULTS;
        Optional<Node> node = top.value("proxy");
        if (node.isEmpty()) {
            return d;
        }
        YamlMap proxy = YamlMap.read("proxy", node.get(), PROXY_KEYS, problems);
        return new ProxySettings(
                integer(proxy, "max_request_line_bytes", 256, 1 << 20, d.maxRequestLineBytes(), problems),
                integer(proxy, "max_header_bytes", 1024, 1 << 20, d.maxHeaderBytes(), problems),
                integer(proxy, "max_header_count", 8, 10_000, d.maxHeaderCount(), problems),
                duration(proxy, "request_header_timeout", d.requestHeaderTimeout(), problems),
                duration(proxy, "client_idle_timeout", d.clientIdleTimeout(), problems),
                duration(proxy, "drain_timeout", d.drainTimeout(), problems),
                bytes(proxy, "max_request_body_bytes", d.maxRequestBodyBytes(), problems),
                underscores(proxy, d.headersWithUnderscores(), problems),
                proxy.string("direct_path").map(value -> bool("proxy.direct_path", value, proxy.value("direct_path").get(),
                        problems)).orElse(d.directPath()));
    }

    private static ProxySettings.HeadersWithUnderscores underscores(YamlMap map, ProxySettings.HeadersWithUnderscores fallback,
            Problems problems) {
        Optional<String> text = map.string("headers_with_underscores");
        if (text.isEmpty()) {
            return fallback;
        }
        for (ProxySettings.HeadersWithUnderscores candidate : ProxySettings.HeadersWithUnderscores.values()) {
            if (candidate.key().equals(text.get())) {
                return candidate;
            }
        }
        problems.at(map.value("headers_with_underscores").get(), "proxy.headers_with_underscores: \"" + text.get()
                + "\" (expected: drop, reject or allow)");
        return fallback;
    }

    /** A byte count: plain digits, or with a binary suffix ({@code 32MiB}, {@code 512KiB}, {@code 1GiB}). */
    private static long bytes(YamlMap map, String key, long fallback, Problems problems) {
        Optional<String> text = map.string(key);
        if (text.isEmpty()) {
            return fallback;
        }
        String value = text.get().trim();
        long unit = 1;
        for (String[] suffix : new String[][] {{"KiB", "1024"}, {"MiB", "1048576"}, {"GiB", "1073741824"}}) {
            if (value.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                value = value.substring(0, value.length() - suffix[0].length()).trim();
            }
        }
        if (!value.isEmpty() && value.length() <= 18 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            long count = Long.parseLong(value);
            if (count <= Long.MAX_VALUE / unit) {
                return count * unit;
            }
        }
        problems.at(map.value(key).get(), map.path() + "." + key + ": \"" + text.get()
                + "\" (expected: a number of bytes, such as 33554432 or 32MiB)");
        return fallback;
    }

    private static UpstreamTimeouts readUpstream(YamlMap top, Problems problems) {
        UpstreamTimeouts d = UpstreamTimeouts.DEFAULTS;
        Optional<Node> node = top.value("upstream");
        if (node.isEmpty()) {
            return d;
        }
        YamlMap upstream = YamlMap.read("upstream", node.get(), UPSTREAM_KEYS, problems);
        return new UpstreamTimeouts(
                duration(upstream, "connect_timeout", d.connect(), problems),
                duration(upstream, "response_timeout", d.responseHeaders(), problems),
                duration(upstream, "idle_timeout", d.idle(), problems));
    }

    private static HealthSettings readHealth(YamlMap top, Problems problems) {
        HealthSettings d = HealthSettings.DEFAULTS;
        Optional<Node> node = top.value("health");
        if (node.isEmpty()) {
            return d;
        }
        YamlMap health = YamlMap.read("health", node.get(), HEALTH_KEYS, problems);
        Optional<String> path = health.string("path");
        path.ifPresent(p -> {
            if (!p.startsWith("/")) {
                problems.at(health.value("path").get(), "health.path: \"" + p + "\" (expected: starts with /)");
            }
        });
        return new HealthSettings(
                path,
                duration(health, "interval", d.interval(), problems),
                duration(health, "timeout", d.timeout(), problems),
                integer(health, "healthy_threshold", 1, 100, d.healthyThreshold(), problems),
                integer(health, "unhealthy_threshold", 1, 100, d.unhealthyThreshold(), problems),
                integer(health, "eject_after_failures", 1, 1000, d.ejectAfterFailures(), problems),
                duration(health, "ejection_time", d.ejectionTime(), problems));
    }

    private static int integer(YamlMap map, String key, int min, int max, int fallback, Problems problems) {
        Optional<String> text = map.string(key);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.get());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.at(map.value(key).get(), map.path() + "." + key + ": " + text.get() + " (expected: " + min + ".." + max + ")");
        return fallback;
    }

    private static Duration duration(YamlMap map, String key, Duration fallback, Problems problems) {
        Optional<String> text = map.string(key);
        if (text.isEmpty()) {
            return fallback;
        }
        Optional<Duration> value = Durations.parse(text.get()).filter(d -> !d.isZero());
        if (value.isEmpty()) {
            problems.at(map.value(key).get(), map.path() + "." + key + ": " + text.get()
                    + " (expected: a duration such as 250ms, 10s, 5m)");
        }
        return value.orElse(fallback);
    }

    private static List<GatewayConfig.Listener> readListeners(YamlMap top, Path base, Problems problems) {
        Optional<Node> listen = top.value("listen");
        if (listen.isEmpty()) {
            return List.of(new GatewayConfig.Listener(DEFAULT_LISTEN, Optional.empty(), false));
        }
        if (listen.get() instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag())) {
            problems.at(listen.get(), "listen: must not be empty (expected host:port or a list of listeners)");
            return List.of();
        }
        if (!(listen.get() instanceof SequenceNode)) {
            return YamlMap.scalar("listen", listen.get(), problems)
                    .flatMap(text -> parseAddress("listen", text, listen.get(), problems))
                    .map(address -> List.of(new GatewayConfig.Listener(address, Optional.<GatewayConfig.Tls>empty(), false)))
                    .orElse(List.of());
        }
        List<GatewayConfig.Listener> listeners = new ArrayList<>();
        List<Node> items = YamlMap.list("listen", listen.get(), problems);
        for (int i = 0; i < items.size(); i++) {
            String path = "listen[" + i + "]";
            YamlMap listener = YamlMap.read(path, items.get(i), LISTENER_KEYS, problems);
            Optional<HostAndPort> address = listener.require("address").flatMap(n -> address(listener, "address", problems));
            Optional<GatewayConfig.Tls> tls = listener.value("tls").map(node -> readTls(path + ".tls", node, base, problems));
            boolean proxyProtocol = false;
            List<Cidr> proxyProtocolTrusted = List.of();
            Optional<Node> proxyProtocolNode = listener.value("proxy_protocol");
            if (proxyProtocolNode.isPresent() && proxyProtocolNode.get() instanceof MappingNode) {
                YamlMap form = YamlMap.read(path + ".proxy_protocol", proxyProtocolNode.get(), PROXY_PROTOCOL_KEYS, problems);
                proxyProtocol = true;
                proxyProtocolTrusted = cidrs(form, "trusted", path + ".proxy_protocol.trusted", problems);
                if (proxyProtocolTrusted.isEmpty()) {
                    problems.at(proxyProtocolNode.get(), path + ".proxy_protocol.trusted: at least one address block is required"
                            + " (the load balancers that send the PROXY header)");
                }
            } else if (proxyProtocolNode.isPresent()) {
                proxyProtocol = listener.string("proxy_protocol").map(value -> bool(path + ".proxy_protocol", value,
                        proxyProtocolNode.get(), problems)).orElse(false);
            }
            Optional<List<Cidr>> trustedProxies = listener.value("client_ip").map(node -> {
                YamlMap clientIp = YamlMap.read(path + ".client_ip", node, CLIENT_IP_KEYS, problems);
                return cidrs(clientIp, "trusted_proxies", path + ".client_ip.trusted_proxies", problems);
            });
            boolean withProxyProtocol = proxyProtocol;
            List<Cidr> balancers = proxyProtocolTrusted;
            address.ifPresent(a -> listeners.add(new GatewayConfig.Listener(a, tls, withProxyProtocol, trustedProxies, balancers)));
        }
        if (items.isEmpty()) {
            problems.at(listen.get(), "listen: at least one listener is required");
        }
        return listeners;
    }

    private static GatewayConfig.Tls readTls(String path, Node node, Path base, Problems problems) {
        YamlMap tls = YamlMap.read(path, node, TLS_KEYS, problems);
        List<GatewayConfig.Certificate> certificates = new ArrayList<>();
        List<Node> items = tls.list("certificates");
        if (items.isEmpty()) {
            problems.at(node, path + ".certificates: at least one certificate is required");
        }
        for (int i = 0; i < items.size(); i++) {
            String itemPath = path + ".certificates[" + i + "]";
            YamlMap certificate = YamlMap.read(itemPath, items.get(i), CERTIFICATE_KEYS, problems);
            Optional<Path> cert = existingFile(certificate, "cert", base, problems);
            Optional<Path> key = existingFile(certificate, "key", base, problems);
            if (cert.isPresent() && key.isPresent()) {
                certificates.add(new GatewayConfig.Certificate(cert.get(), key.get()));
            }
        }
        return new GatewayConfig.Tls(certificates);
    }

    private static GatewayConfig.GeoIp readGeoIp(YamlMap top, Path base, Problems problems) {
        Optional<Node> node = top.require("geoip");
        if (node.isEmpty()) {
            return new GatewayConfig.GeoIp(null, CachingGeoLookup.DEFAULT_MAX_ENTRIES);
        }
        YamlMap geoip = YamlMap.read("geoip", node.get(), GEOIP_KEYS, problems);
        Optional<Path> database = existingFile(geoip, "database", base, problems);
        long maxEntries = CachingGeoLookup.DEFAULT_MAX_ENTRIES;
        Optional<Node> cache = geoip.value("cache");
        if (cache.isPresent()) {
            YamlMap cacheMap = YamlMap.read("geoip.cache", cache.get(), CACHE_KEYS, problems);
            Optional<String> max = cacheMap.string("max_entries");
            if (max.isPresent()) {
                try {
                    maxEntries = Long.parseLong(max.get());
                    if (maxEntries < 0 || maxEntries > CachingGeoLookup.MAX_ENTRIES) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    problems.at(cacheMap.value("max_entries").get(),
                            "geoip.cache.max_entries: " + max.get() + " (expected: 0.." + CachingGeoLookup.MAX_ENTRIES + ")");
                }
            }
        }
        return new GatewayConfig.GeoIp(database.orElse(null), maxEntries);
    }

    private static GatewayConfig.ClientIp readClientIp(YamlMap top, Problems problems) {
        List<Cidr> trusted = new ArrayList<>();
        top.value("client_ip").ifPresent(node -> {
            YamlMap clientIp = YamlMap.read("client_ip", node, CLIENT_IP_KEYS, problems);
            trusted.addAll(cidrs(clientIp, "trusted_proxies", "client_ip.trusted_proxies", problems));
        });
        return new GatewayConfig.ClientIp(trusted);
    }

    /** A list of address blocks ({@code [10.0.0.0/8, 2001:db8::/32]}) under {@code key}. */
    private static List<Cidr> cidrs(YamlMap map, String key, String path, Problems problems) {
        List<Cidr> blocks = new ArrayList<>();
        for (Node item : map.list(key)) {
            YamlMap.scalar(path, item, problems).ifPresent(text -> {
                Optional<Cidr> cidr = Cidr.parse(text);
                if (cidr.isEmpty()) {
                    problems.at(item, path + ": \"" + text + "\" (expected: an address block such as 10.0.0.0/8 or 2001:db8::/32)");
                }
                cidr.ifPresent(blocks::add);
            });
        }
        return blocks;
    }

    private static Optional<HostAndPort> address(YamlMap map, String key, Problems problems) {
        String path = map.path() + "." + key;
        return map.string(key).flatMap(text -> parseAddress(path, text, map.value(key).get(), problems));
    }

    private static Optional<HostAndPort> parseAddress(String path, String text, Node node, Problems problems) {
        Optional<HostAndPort> address = HostAndPort.parse(text);
        if (address.isEmpty()) {
            problems.at(node, path + ": \"" + text + "\" (expected: host:port, such as 0.0.0.0:8080 or [::]:8080)");
        }
        return address;
    }

    private static Optional<Path> existingFile(YamlMap map, String key, Path base, Problems problems) {
        if (!map.has(key)) {
            problems.at(map.node(), map.path() + ": missing required key \"" + key + "\"");
            return Optional.empty();
        }
        return map.string(key).flatMap(name -> {
            Path file = base.resolve(name).normalize();
            if (!Files.isRegularFile(file)) {
                problems.at(map.value(key).get(), map.path() + "." + key + ": no such file " + file);
                return Optional.empty();
            }
            return Optional.of(file);
        });
    }

    private static boolean bool(String path, String value, Node node, Problems problems) {
        if (value.equals("true") || value.equals("false")) {
            return Boolean.parseBoolean(value);
        }
        problems.at(node, path + ": " + value + " (expected: true or false)");
        return false;
    }
}
