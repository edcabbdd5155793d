package io.homeport.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.homeport.geoip.CachingGeoLookup;
import io.homeport.geoip.GeoIpFixtures;
import io.homeport.net.Cidr;
import io.homeport.net.HostAndPort;
import io.homeport.proxy.ProxySettings;
import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigLoaderTest {

    @TempDir
    Path dir;

    private Path database;

    @BeforeEach
    void copyDatabase() throws IOException {
        database = Files.copy(GeoIpFixtures.GEOLITE2_COUNTRY, dir.resolve("GeoLite2-Country.mmdb"));
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("gateway.yaml"), yaml);
    }

    private GatewayConfig load(String yaml) throws Exception {
        return GatewayConfigLoader.load(write(yaml));
    }

    /** The problems of a file that must be refused, as {@code file:line:col: message} lines. */
    private List<String> problems(String yaml) throws IOException {
        Path file = write(yaml);
        InvalidRulesException e = catchThrowableOfType(InvalidRulesException.class, () -> GatewayConfigLoader.load(file));
        assertThat(e).as("expected %s to be refused", yaml).isNotNull();
        assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems().stream().map(Problem::toString).toList()));
        return e.problems().stream().map(Problem::toString).toList();
    }

    private String at(int line, int column, String message) {
        return dir.resolve("gateway.yaml") + ":" + line + ":" + column + ": " + message;
    }

    @Test
    void directoryRedisIsReadWithItsDefaultsAndABadUriIsNamed() throws Exception {
        String head = "rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\n";
        Files.writeString(dir.resolve("rules.yaml"), "version: 1\n");
        GatewayConfig none = load(head);
        assertThat(none.directory().redis()).isEmpty();
        GatewayConfig config = load(head + "directory: {redis: {uris: [\"redis://10.0.0.5:6379\"], near_cache: {ttl: 5s}}}\n");
        io.homeport.directory.PinDirectory.Settings redis = config.directory().redis().orElseThrow();
        assertThat(redis.uris()).containsExactly("redis://10.0.0.5:6379");
        assertThat(redis.lookupTimeout()).isEqualTo(java.time.Duration.ofMillis(25));
        assertThat(redis.nearCacheMaxEntries()).isEqualTo(1_000_000);
        assertThat(redis.nearCacheTtl()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(problems(head + "directory: {redis: {uris: [\"10.0.0.5:6379\"]}}\n")).anySatisfy(problem -> assertThat(problem)
                .contains("gateway.yaml:3:", "directory.redis.uris: \"10.0.0.5:6379\" (expected redis://host:port or rediss://host:port)"));
    }

    @Test
    void readsAFullFileWithAListOfListeners() throws Exception {
        Files.createDirectories(dir.resolve("certs"));
        for (String name : List.of("api.pem", "api.key", "www.pem", "www.key")) {
            Files.writeString(dir.resolve("certs").resolve(name), "-----BEGIN PLACEHOLDER-----\n");
        }
        Path file = write("""
                listen:
                  - address: 0.0.0.0:8443
                    tls:
                      certificates:
                        - {cert: certs/api.pem, key: certs/api.key}
                        - {cert: certs/www.pem, key: certs/www.key}
                    proxy_protocol: true
                  - address: "[::]:8080"
                    proxy_protocol: false
                admin: {listen: "[::1]:9999"}
                rules: rules/routing-rules.yaml
                geoip:
                  database: GeoLite2-Country.mmdb
                  cache: {max_entries: 5000}
                client_ip:
                  trusted_proxies: [10.0.0.0/8, 192.168.1.1, "2001:db8::/32", "::1"]
                """);

        GatewayConfig config = GatewayConfigLoader.load(file);

        assertThat(config.source()).isEqualTo(file);
        assertThat(config.listeners()).hasSize(2);
        GatewayConfig.Listener tls = config.listeners().get(0);
        assertThat(tls.address()).isEqualTo(new HostAndPort("0.0.0.0", 8443));
        assertThat(tls.proxyProtocol()).isTrue();
        assertThat(tls.tls()).isPresent();
        assertThat(tls.tls().get().certificates()).containsExactly(
                new GatewayConfig.Certificate(dir.resolve("certs/api.pem"), dir.resolve("certs/api.key")),
                new GatewayConfig.Certificate(dir.resolve("certs/www.pem"), dir.resolve("certs/www.key")));
        GatewayConfig.Listener plain = config.listeners().get(1);
        assertThat(plain.address()).isEqualTo(new HostAndPort("::", 8080));
        assertThat(plain.tls()).isEmpty();
        assertThat(plain.proxyProtocol()).isFalse();

        assertThat(config.admin().listen()).isEqualTo(new HostAndPort("::1", 9999));
        assertThat(config.rules()).isEqualTo(dir.resolve("rules/routing-rules.yaml"));
        assertThat(config.geoip().database()).isEqualTo(database);
        assertThat(config.geoip().cacheMaxEntries()).isEqualTo(5000);
        assertThat(config.clientIp().trustedProxies()).extracting(Cidr::toString)
                .containsExactly("10.0.0.0/8", "192.168.1.1/32", "2001:db8::/32", "::1/128");
    }

    @Test
    void readsTheSingleAddressForm() throws Exception {
        GatewayConfig config = load("""
                listen: 127.0.0.1:18080
                rules: rules.yaml
                geoip: {database: GeoLite2-Country.mmdb}
                """);

        assertThat(config.listeners()).containsExactly(
                new GatewayConfig.Listener(new HostAndPort("127.0.0.1", 18080), Optional.empty(), false));
    }

    @Test
    void appliesDefaults() throws Exception {
        GatewayConfig config = load("""
                rules: rules.yaml
                geoip:
                  database: GeoLite2-Country.mmdb
                """);

        assertThat(config.listeners()).containsExactly(
                new GatewayConfig.Listener(GatewayConfigLoader.DEFAULT_LISTEN, Optional.empty(), false));
        assertThat(GatewayConfigLoader.DEFAULT_LISTEN).isEqualTo(new HostAndPort("0.0.0.0", 8080));
        assertThat(config.admin().listen()).isEqualTo(new HostAndPort("127.0.0.1", 9901));
        assertThat(config.rules()).isEqualTo(dir.resolve("rules.yaml"));
        assertThat(config.geoip().database()).isEqualTo(database);
        assertThat(config.geoip().cacheMaxEntries()).isEqualTo(CachingGeoLookup.DEFAULT_MAX_ENTRIES).isEqualTo(100_000);
        assertThat(config.clientIp().trustedProxies()).isEmpty();
    }

    @Test
    void readsTheReloadCanaryLimitsAsPercentages() throws Exception {
        assertThat(load("rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\n").reload())
                .isEqualTo(io.homeport.reload.ReloadSettings.DEFAULTS);
        GatewayConfig config = load("rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\n"
                + "reload: {max_region_change: 0.5%, max_rules_region_change: 10}\n");
        assertThat(config.reload().maxRegionChange()).isEqualTo(0.005);
        assertThat(config.reload().maxRulesRegionChange()).hasValue(0.1);
        assertThat(problems("rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\n"
                + "reload: {max_region_change: lots}\n"))
                .containsExactly(at(3, 29, "reload.max_region_change: \"lots\" (expected: a percentage of recent"
                        + " requests, 0% to 100%, e.g. 1%)"));
    }

    @Test
    void readsTrustPerListener() throws Exception {
        GatewayConfig config = load("rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\n"
                + "client_ip: {trusted_proxies: [10.0.0.0/8]}\n"
                + "listen:\n"
                + "  - {address: 127.0.0.1:8080, client_ip: {trusted_proxies: [173.245.48.0/20, 2400:cb00::/32]}}\n"
                + "  - {address: 127.0.0.1:8081, proxy_protocol: {trusted: [10.1.0.0/16]}}\n"
                + "  - {address: 127.0.0.1:8082, proxy_protocol: true}\n"
                + "  - {address: 127.0.0.1:8083}\n");
        List<GatewayConfig.Listener> listeners = config.listeners();
        assertThat(listeners.get(0).trustedProxies()).hasValueSatisfying(blocks -> assertThat(blocks).hasSize(2));
        assertThat(listeners.get(0).proxyProtocol()).isFalse();
        assertThat(listeners.get(1).proxyProtocol()).isTrue();
        assertThat(listeners.get(1).proxyProtocolTrusted()).containsExactly(Cidr.parse("10.1.0.0/16").orElseThrow());
        assertThat(listeners.get(2).proxyProtocol()).isTrue();
        assertThat(listeners.get(2).proxyProtocolTrusted()).isEmpty();
        assertThat(listeners.get(3).trustedProxies()).isEmpty();
        assertThat(config.clientIp().trustedProxies()).containsExactly(Cidr.parse("10.0.0.0/8").orElseThrow());

        assertThat(problems("rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\n"
                + "listen:\n  - {address: 127.0.0.1:8081, proxy_protocol: {trusted: []}, client_ip: {trusted_proxies: [nope]}}\n"))
                .containsExactlyInAnyOrder(
                        at(4, 92, "listen[0].client_ip.trusted_proxies: \"nope\" (expected: an address block such as 10.0.0.0/8 or 2001:db8::/32)"),
                        at(4, 47, "listen[0].proxy_protocol.trusted: at least one address block is required (the load balancers that send the PROXY header)"));
    }

    @Test
    void readsWorkersTheAccessLogAndTheDirectPath() throws Exception {
        String base = "rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\n";
        GatewayConfig defaults = load(base);
        assertThat(defaults.workers()).as("auto: the CPUs this process may use")
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(defaults.accessLog()).isEqualTo(GatewayConfig.AccessLog.STDOUT);
        assertThat(defaults.proxy().directPath()).isTrue();

        GatewayConfig set = load(base + "workers: 3\naccess_log: {path: logs/access.log}\nproxy: {direct_path: false}\n"
                .replace("logs/", ""));
        assertThat(set.workers()).isEqualTo(3);
        assertThat(set.accessLog()).isEqualTo(GatewayConfig.AccessLog.file(dir.resolve("access.log")));
        assertThat(set.proxy().directPath()).isFalse();
        assertThat(load(base + "workers: auto\naccess_log: {path: off}\n").accessLog()).isEqualTo(GatewayConfig.AccessLog.OFF);
        assertThat(load(base + "access_log: {path: stdout}\n").accessLog()).isEqualTo(GatewayConfig.AccessLog.STDOUT);

        assertThat(problems(base + "workers: 0\naccess_log: {path: no/such/dir/access.log}\nproxy: {direct_path: maybe}\n"))
                .containsExactly(
                        at(3, 10, "workers: \"0\" (expected: auto, the CPUs this process may use, or a number of event loops"
                                + " from 1 to 1024)"),
                        at(4, 20, "access_log.path: " + dir.resolve("no/such/dir/access.log")
                                + " (expected: stdout, off, or a file in an existing directory)"),
                        at(5, 22, "proxy.direct_path: maybe (expected: true or false)"));
    }

    @Test
    void readsTheTransport() throws Exception {
        String base = "rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\n";
        assertThat(load(base).transport()).isEqualTo(GatewayConfig.Transport.AUTO);
        assertThat(load(base + "transport: auto\n").transport()).isEqualTo(GatewayConfig.Transport.AUTO);
        assertThat(load(base + "transport: io_uring\n").transport()).isEqualTo(GatewayConfig.Transport.IO_URING);
        assertThat(load(base + "transport: epoll\n").transport()).isEqualTo(GatewayConfig.Transport.EPOLL);
        assertThat(load(base + "transport: nio\n").transport()).isEqualTo(GatewayConfig.Transport.NIO);
        assertThat(problems(base + "transport: uring\n")).containsExactly(
                at(3, 12, "transport: \"uring\" (expected: auto, the best this machine offers, or io_uring, epoll or nio)"));
    }

    @Test
    void readsTheResolversNameServers() throws Exception {
        String base = "rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\n";
        assertThat(load(base).resolver()).isEqualTo(GatewayConfig.Resolver.SYSTEM);
        assertThat(load(base + "resolver: {nameservers: [10.96.0.10, \"127.0.0.1:5353\", \"::1\"]}\n").resolver().nameservers())
                .containsExactly(new HostAndPort("10.96.0.10", 53), new HostAndPort("127.0.0.1", 5353), new HostAndPort("::1", 53));
        assertThat(problems(base + "resolver: {nameservers: [dns.example.com]}\n")).containsExactly(
                at(3, 26, "resolver.nameservers: \"dns.example.com\" (expected: an IP address, with :port when it is not 53)"));
    }

    @Test
    void readsTheLogFormat() throws Exception {
        String base = "rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\n";
        assertThat(load(base).logFormat()).isEqualTo(GatewayConfig.LogFormat.TEXT);
        assertThat(load(base + "logging: {format: text}\n").logFormat()).isEqualTo(GatewayConfig.LogFormat.TEXT);
        assertThat(load(base + "logging: {format: json}\n").logFormat()).isEqualTo(GatewayConfig.LogFormat.JSON);
        assertThat(problems(base + "logging: {format: xml}\n")).containsExactly(
                at(3, 19, "logging.format: \"xml\" (expected: text or json)"));
        assertThat(problems(base + "logging: {fromat: json}\n")).singleElement().asString().contains("unknown key \"fromat\"");
    }

    @Test
    void readsTheRequestBodyLimit() throws Exception {
        assertThat(load("rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\n").proxy().maxRequestBodyBytes())
                .isEqualTo(ProxySettings.DEFAULT_MAX_REQUEST_BODY_BYTES).isEqualTo(1024L * 1024 * 1024);
        assertThat(load("rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\nproxy: {max_request_body_bytes: 8MiB}\n")
                .proxy().maxRequestBodyBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(load("rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\nproxy: {max_request_body_bytes: 1000}\n")
                .proxy().maxRequestBodyBytes()).isEqualTo(1000);
        assertThat(problems("rules: rules.yaml\ngeoip: {database: GeoLite2-Country.mmdb}\nproxy: {max_request_body_bytes: 1MB}\n"))
                .containsExactly(at(3, 33, "proxy.max_request_body_bytes: \"1MB\" (expected: a number of bytes, such as 33554432 or 32MiB)"));
    }

    @Test
    void absolutePathsAreKept() throws Exception {
        GatewayConfig config = load("rules: " + dir.resolve("abs-rules.yaml") + "\n"
                + "geoip: {database: " + GeoIpFixtures.GEOIP2_CITY + "}\n");

        assertThat(config.rules()).isEqualTo(dir.resolve("abs-rules.yaml"));
        assertThat(config.geoip().database()).isEqualTo(GeoIpFixtures.GEOIP2_CITY);
    }

    @Test
    void relativePathsResolveAgainstTheFileThatNamesThem() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("etc/homeport"));
        Files.copy(database, sub.resolve("country.mmdb"));
        Path file = Files.writeString(sub.resolve("gateway.yaml"), """
                rules: ../rules/routing-rules.yaml
                geoip: {database: ./country.mmdb}
                """);

        GatewayConfig config = GatewayConfigLoader.load(file);

        assertThat(config.rules()).isEqualTo(dir.resolve("etc/rules/routing-rules.yaml"));
        assertThat(config.geoip().database()).isEqualTo(sub.resolve("country.mmdb"));
    }

    @Test
    void listenersMustBeMappingsInTheListForm() throws IOException {
        assertThat(problems("""
                listen: ["1.2.3.4:80"]
                rules: rules.yaml
                geoip: {database: GeoLite2-Country.mmdb}
                """)).containsExactly(
                at(1, 10, "listen[0]: expected a mapping, found \"1.2.3.4:80\""),
                at(1, 10, "listen[0]: missing required key \"address\""));
    }

    @Test
    void anEmptyFileIsAnError() throws IOException {
        assertThat(problems("")).singleElement().asString().startsWith(at(1, 1, "the file is empty"));
        assertThat(problems("# nothing but a comment\n")).singleElement().asString().startsWith(at(1, 1, "the file is empty"));
    }

    @Test
    void unknownKeysAreErrorsWithAHint() throws IOException {
        assertThat(problems("""
                listn: 0.0.0.0:8080
                rules: rules.yaml
                geoip:
                  databse: GeoLite2-Country.mmdb
                  cache: {max_entires: 10}
                client_ip: {trusted_proxy: []}
                admin: {listen: 127.0.0.1:9901, port: 1}
                """)).containsExactly(
                at(1, 1, "unknown key \"listn\" in gateway (did you mean \"listen\"?)"),
                at(4, 3, "unknown key \"databse\" in geoip (did you mean \"database\"?)"),
                at(4, 3, "geoip: missing required key \"database\""),
                at(5, 11, "unknown key \"max_entires\" in geoip.cache (did you mean \"max_entries\"?)"),
                at(6, 13, "unknown key \"trusted_proxy\" in client_ip (did you mean \"trusted_proxies\"?)"),
                at(7, 33, "unknown key \"port\" in admin"));
    }

    @Test
    void unknownListenerKeysAreErrors() throws IOException {
        assertThat(problems("""
                listen:
                  - address: 0.0.0.0:8443
                    proxy_protcol: true
                    tls: {certificate: []}
                rules: rules.yaml
                geoip: {database: GeoLite2-Country.mmdb}
                """)).containsExactly(
                at(3, 5, "unknown key \"proxy_protcol\" in listen[0] (did you mean \"proxy_protocol\"?)"),
                at(4, 10, "listen[0].tls.certificates: at least one certificate is required"),
                at(4, 11, "unknown key \"certificate\" in listen[0].tls (did you mean \"certificates\"?)"));
    }

    @Test
    void badAddressesAreErrors() throws IOException {
        assertThat(problems("""
                listen: localhost
                rules: rules.yaml
                geoip: {database: GeoLite2-Country.mmdb}
                admin: {listen: "127.0.0.1:99999"}
                """)).containsExactly(
                at(1, 9, "listen: \"localhost\" (expected: host:port, such as 0.0.0.0:8080 or [::]:8080)"),
                at(4, 17, "admin.listen: \"127.0.0.1:99999\" (expected: host:port, such as 0.0.0.0:8080 or [::]:8080)"));

        assertThat(problems("""
                listen:
                  - address: "::1:8080"
                  - {proxy_protocol: yes}
                rules: rules.yaml
                geoip: {database: GeoLite2-Country.mmdb}
                """)).containsExactly(
                at(2, 14, "listen[0].address: \"::1:8080\" (expected: host:port, such as 0.0.0.0:8080 or [::]:8080)"),
                at(3, 5, "listen[1]: missing required key \"address\""),
                at(3, 22, "listen[1].proxy_protocol: yes (expected: true or false)"));
    }

    @Test
    void anEmptyListenerListIsAnError() throws IOException {
        assertThat(problems("""
                listen: []
                rules: rules.yaml
                geoip: {database: GeoLite2-Country.mmdb}
                """)).containsExactly(at(1, 9, "listen: at least one listener is required"));
    }

    @Test
    void badCidrsAreErrors() throws IOException {
        String expected = " (expected: an address block such as 10.0.0.0/8 or 2001:db8::/32)";
        assertThat(problems("""
                rules: rules.yaml
                geoip: {database: GeoLite2-Country.mmdb}
                client_ip:
                  trusted_proxies:
                    - 10.0.0.0/8
                    - 10.0.0.0/33
                    - "2001:db8::/129"
                    - proxy.example.com
                    - [10.0.0.1]
                """)).containsExactly(
                at(6, 7, "client_ip.trusted_proxies: \"10.0.0.0/33\"" + expected),
                at(7, 7, "client_ip.trusted_proxies: \"2001:db8::/129\"" + expected),
                at(8, 7, "client_ip.trusted_proxies: \"proxy.example.com\"" + expected),
                at(9, 7, "client_ip.trusted_proxies: expected a single value, found a list"));
    }

    @Test
    void missingRulesAndGeoIpAreErrors() throws IOException {
        assertThat(problems("listen: 0.0.0.0:8080\n")).containsExactly(
                at(1, 1, "gateway: missing required key \"rules\""),
                at(1, 1, "gateway: missing required key \"geoip\""));
        assertThat(problems("rules:\ngeoip: {database: GeoLite2-Country.mmdb}\n"))
                .containsExactly(at(1, 7, "gateway.rules: must not be empty"));
    }

    @Test
    void aMissingDatabaseFileIsAnError() throws IOException {
        assertThat(problems("""
                rules: rules.yaml
                geoip:
                  database: GeoIP/Missing.mmdb
                """)).containsExactly(at(3, 13, "geoip.database: no such file " + dir.resolve("GeoIP/Missing.mmdb")));
    }

    @Test
    void missingCertificateFilesAreErrors() throws IOException {
        Files.writeString(dir.resolve("api.pem"), "x");
        assertThat(problems("""
                listen:
                  - address: 0.0.0.0:8443
                    tls:
                      certificates:
                        - {cert: api.pem, key: api.key}
                        - {cert: www.pem}
                rules: rules.yaml
                geoip: {database: GeoLite2-Country.mmdb}
                """)).containsExactly(
                at(5, 32, "listen[0].tls.certificates[0].key: no such file " + dir.resolve("api.key")),
                at(6, 11, "listen[0].tls.certificates[1]: missing required key \"key\""),
                at(6, 18, "listen[0].tls.certificates[1].cert: no such file " + dir.resolve("www.pem")));
    }

    @Test
    void badMaxEntriesAreErrors() throws IOException {
        for (String bad : List.of("-5", "lots", "1.5", "16777217", "99999999999999999999")) {
            assertThat(problems("rules: rules.yaml\n"
                    + "geoip: {database: GeoLite2-Country.mmdb, cache: {max_entries: " + bad + "}}\n"))
                    .as(bad)
                    .containsExactly(at(2, 63, "geoip.cache.max_entries: " + bad + " (expected: 0..16777216)"));
        }
    }

    @Test
    void maxEntriesAtTheBoundsAreAccepted() throws Exception {
        for (long ok : List.of(0L, 1L, 16_777_216L)) {
            GatewayConfig config = load("rules: rules.yaml\n"
                    + "geoip: {database: GeoLite2-Country.mmdb, cache: {max_entries: " + ok + "}}\n");
            assertThat(config.geoip().cacheMaxEntries()).isEqualTo(ok);
        }
    }

    @Test
    void everyProblemIsReportedAtOnce() throws IOException {
        assertThat(problems("""
                listen: nowhere
                admin: {listen: "admin"}
                geoip: {database: nope.mmdb, cache: {max_entries: -1}}
                client_ip: {trusted_proxies: [bad]}
                extra: 1
                """)).hasSize(7);
    }

    @Test
    void invalidYamlIsAnErrorWithItsPosition() throws IOException {
        List<String> problems = problems("rules: rules.yaml\ngeoip: {database: [\n");
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).startsWith(dir.resolve("gateway.yaml") + ":").contains("invalid YAML");
    }

    @Test
    void aMissingFileSaysSoAsValidateDoes() {
        Path missing = dir.resolve("nope.yaml");
        InvalidRulesException e = catchThrowableOfType(InvalidRulesException.class, () -> GatewayConfigLoader.load(missing));
        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(missing.toString());
            assertThat(p.line()).isEqualTo(1);
            assertThat(p.message()).isEqualTo("no such file");
        });
    }

    @Test
    void theRootMustBeAMapping() throws IOException {
        assertThat(problems("- rules.yaml\n")).contains(at(1, 1, "gateway: expected a mapping, found a list"));
    }
}
