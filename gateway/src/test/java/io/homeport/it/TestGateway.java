package io.homeport.it;

import io.homeport.config.GatewayConfig;
import io.homeport.net.Cidr;
import io.homeport.net.HostAndPort;
import io.homeport.proxy.ProxySettings;
import io.homeport.server.Homeport;
import io.homeport.upstream.HealthSettings;
import io.homeport.upstream.UpstreamTimeouts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole gateway on ephemeral loopback ports, in front of three real backends (beijing,
 * singapore, us), with rules written for them and a generated GeoIP fixture. Loopback is a
 * trusted proxy, so tests choose the client address with X-Forwarded-For.
 */
final class TestGateway implements AutoCloseable {

    static final Path FIXTURE_DB = Path.of("src/test/resources/geoip/GeoLite2-Country-Test.mmdb");

    /**
     * Whether the gateways of this run take the direct HTTP/1.1 path ({@code proxy.direct_path}): the
     * build runs the integration suite with it on, then off ({@code -Dhomeport.it.directPath=false}).
     */
    static final boolean DIRECT_PATH = !"false".equals(System.getProperty("homeport.it.directPath"));

    /**
     * The socket transport of this run's gateways ({@code transport}): the build's first run takes
     * {@code auto} (io_uring where the machine offers it), the codec-path run epoll
     * ({@code -Dhomeport.it.transport=epoll}), so that both transports carry the whole suite.
     */
    static final GatewayConfig.Transport TRANSPORT =
            GatewayConfig.Transport.valueOf(System.getProperty("homeport.it.transport", "auto").toUpperCase(java.util.Locale.ROOT));

    final TestBackend beijing;
    final TestBackend singapore;
    final TestBackend us;
    final Path directory;
    final Path rules;
    final Homeport homeport;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final Extras extras;
    /** What the gateway's access log wrote (the first 16 MiB). */
    final CapturedLog accessLog = new CapturedLog(16 << 20);

    /**
     * Optional parts: a TLS listener (the second listener, after the cleartext one), regions whose
     * endpoint is another server than their TestBackend (region name to endpoint URL), a PROXY
     * protocol listener (the last listener), and an admin bearer token (null for none).
     */
    record Extras(GatewayConfig.Tls tls, Map<String, String> endpoints, boolean proxyProtocol, String adminToken,
            List<GatewayConfig.Listener> moreListeners, GatewayConfig.Resolver resolver) {
        static final Extras NONE = new Extras(null, Map.of());

        Extras(GatewayConfig.Tls tls, Map<String, String> endpoints, boolean proxyProtocol, String adminToken,
                List<GatewayConfig.Listener> moreListeners) {
            this(tls, endpoints, proxyProtocol, adminToken, moreListeners, GatewayConfig.Resolver.SYSTEM);
        }

        /** Regions whose endpoints are these (names to resolve), with these name servers. */
        static Extras withNamedEndpoints(Map<String, String> endpoints, GatewayConfig.Resolver resolver) {
            return new Extras(null, endpoints, false, null, List.of(), resolver);
        }

        Extras(GatewayConfig.Tls tls, Map<String, String> endpoints) {
            this(tls, endpoints, false, null, List.of());
        }

        Extras(GatewayConfig.Tls tls, Map<String, String> endpoints, boolean proxyProtocol, String adminToken) {
            this(tls, endpoints, proxyProtocol, adminToken, List.of());
        }

        static Extras proxyProtocolListener() {
            return new Extras(null, Map.of(), true, null);
        }

        static Extras withAdminToken(String token) {
            return new Extras(null, Map.of(), false, token);
        }

        /** More listeners after the cleartext one, as given (their ports: {@code homeport.proxyAddresses()}). */
        static Extras withListeners(List<GatewayConfig.Listener> listeners) {
            return new Extras(null, Map.of(), false, null, listeners);
        }
    }

    TestGateway(Path directory, Extras extras) throws Exception {
        this(directory, UpstreamTimeouts.DEFAULTS, ProxySettings.DEFAULTS, HealthSettings.DEFAULTS, extras);
    }

    TestGateway(Path directory) throws Exception {
        this(directory, UpstreamTimeouts.DEFAULTS, ProxySettings.DEFAULTS);
    }

    TestGateway(Path directory, UpstreamTimeouts timeouts, ProxySettings settings) throws Exception {
        this(directory, timeouts, settings, HealthSettings.DEFAULTS);
    }

    TestGateway(Path directory, UpstreamTimeouts timeouts, ProxySettings settings, HealthSettings health) throws Exception {
        this(directory, timeouts, settings, health, Extras.NONE);
    }

    TestGateway(Path directory, UpstreamTimeouts timeouts, ProxySettings settings, HealthSettings health, Extras extras)
            throws Exception {
        LeakCheck.install();
        this.directory = directory;
        this.extras = extras;
        this.beijing = new TestBackend("beijing");
        this.singapore = new TestBackend("singapore");
        this.us = new TestBackend("us");
        Files.writeString(directory.resolve("users.csv"), "user_id,region\nu-pinned-sg,singapore\nu-pinned-cn,beijing\n");
        this.rules = directory.resolve("rules.yaml");
        writeRules(25);
        Path db = directory.resolve("geoip.mmdb");
        Files.copy(FIXTURE_DB, db, StandardCopyOption.REPLACE_EXISTING);
        GatewayConfig config = GatewayConfig.of(rules, db)
                .withListeners(listeners(extras))
                .withAdmin(new GatewayConfig.Admin(new HostAndPort("127.0.0.1", 0), Optional.ofNullable(extras.adminToken())))
                .withGeoIp(new GatewayConfig.GeoIp(db, 1000))
                .withClientIp(new GatewayConfig.ClientIp(List.of(Cidr.parse("127.0.0.0/8").orElseThrow())))
                .withProxy(settings.withDirectPath(DIRECT_PATH))
                .withUpstream(timeouts)
                .withHealth(health)
                .withWorkers(2)
                .withTransport(TRANSPORT)
                .withResolver(extras.resolver());
        this.homeport = Homeport.start(Homeport.Options.forDemo(config, Duration.ofMillis(200), accessLog));
    }

    private static List<GatewayConfig.Listener> listeners(Extras extras) {
        GatewayConfig.Listener cleartext = new GatewayConfig.Listener(new HostAndPort("127.0.0.1", 0), Optional.empty(), false);
        List<GatewayConfig.Listener> listeners = new ArrayList<>(List.of(cleartext));
        if (extras.tls() != null) {
            listeners.add(new GatewayConfig.Listener(new HostAndPort("127.0.0.1", 0), Optional.of(extras.tls()), false));
        }
        if (extras.proxyProtocol()) {
            listeners.add(new GatewayConfig.Listener(new HostAndPort("127.0.0.1", 0), Optional.empty(), true));
        }
        listeners.addAll(extras.moreListeners());
        return listeners;
    }

    /** The PROXY protocol listener's port (with {@link Extras#proxyProtocol()}). */
    int proxyProtocolPort() {
        List<InetSocketAddress> addresses = homeport.proxyAddresses();
        return addresses.get(addresses.size() - 1).getPort();
    }

    /** Writes the rules file, with India's migration at {@code indiaPercent}. */
    void writeRules(int indiaPercent) throws IOException {
        writeRules(indiaPercent, "us");
    }

    void writeRules(int indiaPercent, String defaultRegion) throws IOException {
        String yaml = """
                version: 1
                regions:
                  beijing: {endpoints: ["%s"], fail_over_to: []}
                  singapore: {endpoints: ["%s"], fail_over_to: [us]}
                  us: {endpoints: ["%s"], fail_over_to: [singapore]}
                residency:
                  default_region: %s
                  countries: {CN: beijing, SG: singapore, MY: singapore}
                  migrations:
                    - {name: india, countries: [IN], to: singapore, percent: %d}
                  users: {file: users.csv, identity: {header: X-User-Id}}
                routes:
                  - {name: api, path_prefix: /api/}
                """.formatted(endpoint(beijing), endpoint(singapore), endpoint(us), defaultRegion, indiaPercent);
        Path temporary = directory.resolve("rules.yaml.tmp");
        Files.writeString(temporary, yaml);
        Files.move(temporary, directory.resolve("rules.yaml"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private String endpoint(TestBackend backend) {
        return extras.endpoints().getOrDefault(backend.region, backend.endpoint());
    }

    /** The TLS listener's port (with {@link Extras#tls()}). */
    int tlsPort() {
        return homeport.proxyAddresses().get(1).getPort();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + homeport.proxyAddresses().get(0).getPort() + path);
    }

    URI admin(String path) {
        return URI.create("http://127.0.0.1:" + homeport.adminAddress().getPort() + path);
    }

    HttpResponse<String> get(String path, String clientIp, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
        if (clientIp != null) {
            request.header("X-Forwarded-For", clientIp);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The access-log lines written so far that contain {@code text}, waiting up to 5 s for one. */
    List<String> accessLogLines(String text) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            List<String> lines = accessLog.text().lines().filter(line -> line.contains(text)).toList();
            if (!lines.isEmpty() || System.nanoTime() > deadline) {
                return lines;
            }
            Thread.sleep(20);
        }
    }

    /** Keeps what is written, up to a bound; the access log's writer thread writes, tests read. */
    static final class CapturedLog extends OutputStream {
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private final int capacity;

        CapturedLog(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public synchronized void write(int b) {
            if (bytes.size() < capacity) {
                bytes.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, Math.max(0, Math.min(len, capacity - bytes.size())));
        }

        synchronized String text() {
            return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        // Every test that runs a gateway also checks the residency counter: it must read 0.
        long violations = homeport.metrics().residencyViolations();
        homeport.close();
        beijing.close();
        singapore.close();
        us.close();
        if (violations != 0) {
            throw new AssertionError("homeport_residency_violations_total is " + violations + " (must be 0)");
        }
    }
}
