package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.config.GatewayConfig;
import io.homeport.directory.PinDirectory;
import io.homeport.directory.PinStore;
import io.homeport.net.Cidr;
import io.homeport.net.HostAndPort;
import io.homeport.server.Homeport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole gateway with its pins in a real redis-server ({@code residency.users.source: redis}):
 * a pin routes its user whatever their address, a new pin is followed within a second, and with
 * Redis killed a held pin keeps serving, an unknown user is decided by country ({@code
 * pin_unavailable}) — or refused with a 503 where the country is strict — and no request reaches
 * a region its rules forbid. Runs on both HTTP/1.1 framings (the direct path and the codec).
 */
class RedisPinRoutingTest {

    @TempDir
    Path dir;

    static final String CN = "1.2.4.8";
    static final String SG = "165.21.83.88";

    @Test
    void pinsFromRedisRouteTheirUsersAndAnOutageFailsClosedWhereStrict() throws Exception {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"));
                TestBackend beijing = new TestBackend("beijing");
                TestBackend singapore = new TestBackend("singapore");
                TestBackend us = new TestBackend("us");
                PinStore store = PinStore.connect(redis.uri(), Duration.ofSeconds(2))) {
            store.set("u-moved", "singapore");
            Path rules = rules(beijing, singapore, us, "{source: redis, identity: {header: X-User-Id}, strict: {countries: [CN]}}");
            TestCertificates certificates = new TestCertificates(dir);
            TestCertificates.Written localhost = certificates.write("localhost", "localhost");
            GatewayConfig config = config(rules, redis, Duration.ofMillis(100), Duration.ofMillis(300))
                    .withListeners(List.of(new GatewayConfig.Listener(new HostAndPort("127.0.0.1", 0), Optional.empty(), false),
                            // HTTP/2 over TLS: a bodiless request reaches the proxy as one full request per stream.
                            new GatewayConfig.Listener(new HostAndPort("127.0.0.1", 0),
                                    Optional.of(new GatewayConfig.Tls(List.of(localhost.files()))), false)));
            try (Homeport homeport = Homeport.start(Homeport.Options.forDemo(config, Duration.ofHours(1), null))) {
                String base = "http://127.0.0.1:" + homeport.proxyAddresses().get(0).getPort() + "/";
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

                // A pin in Redis routes its user from any address; no pin: the country. Over HTTP/2 too,
                // for a user the near-cache does not hold yet.
                String h2 = "https://localhost:" + homeport.proxyAddresses().get(1).getPort() + "/";
                HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(certificates.clientContext()).build();
                store.set("u-h2", "us");
                HttpResponse<String> overH2 = send(http2, h2, CN, "u-h2");
                assertThat(overH2.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(overH2.headers().firstValue("x-homeport-region")).as(overH2.body()).contains("us");
                assertThat(region(client, base, CN, "u-moved")).isEqualTo("singapore");
                assertThat(region(client, base, CN, "u-plain")).isEqualTo("beijing");
                assertThat(region(client, base, SG, "u-plain-sg")).isEqualTo("singapore");

                // The data copier moves u-moved: the gateway follows within a second.
                store.set("u-moved", "us");
                long written = System.nanoTime();
                String now = region(client, base, CN, "u-moved");
                while (!"us".equals(now) && System.nanoTime() - written < 1_000_000_000L) {
                    Thread.sleep(10);
                    now = region(client, base, CN, "u-moved");
                }
                assertThat(now).as("followed within 1 s").isEqualTo("us");

                // /explain fetches a pin the near-cache does not hold yet, as a request would, and says where it came from.
                long announced = announcedWrites(homeport);
                store.set("u-explained", "singapore");
                // Fresh only once Redis has announced the write: a read begun before that is served as stale.
                long announcing = System.nanoTime();
                while (announcedWrites(homeport) <= announced && System.nanoTime() - announcing < 10_000_000_000L) {
                    Thread.sleep(2);
                }
                assertThat(announcedWrites(homeport)).as("homeport_pin_invalidations_total").isGreaterThan(announced);
                String explained = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + homeport.adminAddress().getPort() + "/explain?ip=" + CN + "&user=u-explained")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(explained).contains("\"region\" : \"singapore\"", "\"reason\" : \"pin\"")
                        .containsPattern("user u-explained is pinned to singapore in Redis \\(near-cache, read [0-9.]+ s ago\\)");

                redis.kill();
                // A pin the near-cache holds keeps serving (stale while Redis is away).
                Thread.sleep(400);
                assertThat(region(client, base, CN, "u-moved")).isEqualTo("us");
                // Nobody knows new users' pins: by country where that is allowed...
                assertThat(region(client, base, SG, "u-new-sg")).isEqualTo("singapore");
                // ...and 503 with Retry-After where the country is strict.
                HttpResponse<String> strict = send(client, base, CN, "u-new-cn");
                assertThat(strict.statusCode()).isEqualTo(503);
                assertThat(strict.headers().firstValue("retry-after")).isPresent();

                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + homeport.adminAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).containsPattern("homeport_user_lookup_failures_total\\{reason=\"(unavailable|timeout|error)\"} [1-9]")
                        .contains("homeport_decisions_total{reason=\"pin_unavailable\"}");
                // Requests held for their pin were decided twice, counted once: one decision a request.
                double decisions = metrics.lines().filter(line -> line.startsWith("homeport_decisions_total{"))
                        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
                assertThat(decisions).isEqualTo(sent.get());
                assertThat(homeport.metrics().residencyViolations()).as("homeport_residency_violations_total").isZero();
            }
        }
    }

    /**
     * Redis stalls — its connections open, nothing answered (SIGSTOP): the nastier outage, since no
     * connection fails. A request for a user the near-cache does not hold waits at most
     * lookup_timeout, then is decided by country, or refused where the country is strict; a held
     * pin keeps serving; the failures are counted as timeouts. Once Redis answers again, pins are
     * read again.
     */
    @Test
    void aStalledRedisCostsARequestAtMostItsLookupTimeout() throws Exception {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"));
                TestBackend beijing = new TestBackend("beijing");
                TestBackend singapore = new TestBackend("singapore");
                TestBackend us = new TestBackend("us");
                PinStore store = PinStore.connect(redis.uri(), Duration.ofSeconds(2))) {
            store.set("u-held", "us");
            Path rules = rules(beijing, singapore, us, "{source: redis, identity: {header: X-User-Id}, strict: {countries: [CN]}}");
            try (Homeport homeport = Homeport.start(Homeport.Options.forDemo(
                    config(rules, redis, Duration.ofMillis(100), Duration.ofSeconds(60)), Duration.ofHours(1), null))) {
                String base = "http://127.0.0.1:" + homeport.proxyAddresses().get(0).getPort() + "/";
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                assertThat(region(client, base, CN, "u-held")).isEqualTo("us"); // now in the near-cache

                redis.pause();
                long waitedMillis;
                HttpResponse<String> strict;
                try {
                    long started = System.nanoTime();
                    assertThat(region(client, base, SG, "u-new-sg")).isEqualTo("singapore");
                    waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    strict = send(client, base, CN, "u-new-cn");
                    assertThat(region(client, base, CN, "u-held")).isEqualTo("us");
                } finally {
                    redis.resume();
                }
                assertThat(waitedMillis).as("waited for its pin at most lookup_timeout (100 ms), with slack for a starved machine")
                        .isLessThan(1_000);
                assertThat(strict.statusCode()).isEqualTo(503);
                assertThat(strict.headers().firstValue("retry-after")).isPresent();
                assertThat(homeport.metrics().scrape()).containsPattern("homeport_user_lookup_failures_total\\{reason=\"timeout\"} [1-9]");

                // Redis answers again: a pin written now is read for the user's next request.
                store.set("u-new-sg", "beijing");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                String now;
                while (!"beijing".equals(now = region(client, base, SG, "u-new-sg")) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(now).isEqualTo("beijing");
                assertThat(homeport.metrics().residencyViolations()).as("homeport_residency_violations_total").isZero();
            }
        }
    }

    @Test
    void aRequestHeldForItsPinIsAnsweredWhenADrainStarts() throws Exception {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"), "--enable-debug-command", "yes");
                TestBackend beijing = new TestBackend("beijing");
                TestBackend singapore = new TestBackend("singapore");
                TestBackend us = new TestBackend("us")) {
            Path rules = rules(beijing, singapore, us, "{source: redis}");
            GatewayConfig config = config(rules, redis, Duration.ofMillis(1_500), Duration.ofSeconds(60));
            Homeport homeport = Homeport.start(Homeport.Options.forDemo(config, Duration.ofHours(1), null));
            try {
                String base = "http://127.0.0.1:" + homeport.proxyAddresses().get(0).getPort() + "/";
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                assertThat(region(client, base, SG, "u-warm")).isEqualTo("singapore"); // the connection exists
                // Redis stops answering for 3 s: the next unknown user's request is held for its pin.
                Process sleep = new ProcessBuilder(RedisCluster.CLI.toString(), "-p", Integer.toString(redis.port()), "debug", "sleep", "3")
                        .redirectErrorStream(true).start();
                Thread.sleep(200);
                java.util.concurrent.CompletableFuture<HttpResponse<String>> held = client.sendAsync(HttpRequest.newBuilder(URI.create(base))
                        .header("X-Forwarded-For", SG).header("X-User-Id", "u-held").timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                Thread.sleep(300);
                Thread closer = new Thread(homeport::close);
                closer.start(); // SIGTERM's drain
                HttpResponse<String> answer = held.get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(answer.headers().firstValue("x-homeport-region")).contains("singapore");
                assertThat(answer.headers().firstValue("connection")).contains("close");
                closer.join(30_000);
                sleep.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                homeport.close();
            }
        }
    }

    /** Rules for the three backends with CN and SG mapped, and {@code users} as residency.users. */
    private Path rules(TestBackend beijing, TestBackend singapore, TestBackend us, String users) throws Exception {
        return Files.writeString(dir.resolve("rules.yaml"), """
                version: 1
                regions:
                  beijing: {endpoints: ["http://127.0.0.1:%d"], fail_over_to: []}
                  singapore: {endpoints: ["http://127.0.0.1:%d"], fail_over_to: []}
                  us: {endpoints: ["http://127.0.0.1:%d"], fail_over_to: []}
                residency:
                  default_region: us
                  countries: {CN: beijing, SG: singapore}
                  users: %s
                """.formatted(beijing.port(), singapore.port(), us.port(), users));
    }

    /** A gateway on one cleartext loopback listener with its pins in {@code redis}. */
    private GatewayConfig config(Path rules, RedisServer redis, Duration lookupTimeout, Duration nearCacheTtl) throws Exception {
        Path db = Files.copy(TestGateway.FIXTURE_DB, dir.resolve("geoip.mmdb"), StandardCopyOption.REPLACE_EXISTING);
        return GatewayConfig.of(rules, db)
                .withListeners(List.of(new GatewayConfig.Listener(new HostAndPort("127.0.0.1", 0), Optional.empty(), false)))
                .withAdmin(new GatewayConfig.Admin(new HostAndPort("127.0.0.1", 0), Optional.empty()))
                .withClientIp(new GatewayConfig.ClientIp(List.of(Cidr.parse("127.0.0.0/8").orElseThrow())))
                .withProxy(io.homeport.proxy.ProxySettings.DEFAULTS.withDirectPath(TestGateway.DIRECT_PATH))
                .withTransport(TestGateway.TRANSPORT)
                .withWorkers(1)
                .withDirectory(new GatewayConfig.Directory(Optional.of(new PinDirectory.Settings(List.of(redis.uri()),
                        lookupTimeout, 10_000, nearCacheTtl))));
    }

    private String region(HttpClient client, String base, String address, String user) throws Exception {
        HttpResponse<String> response = send(client, base, address, user);
        assertThat(response.statusCode()).as("%s %s: %s", address, user, response.body()).isEqualTo(200);
        return response.headers().firstValue("x-homeport-region").orElse("(none)");
    }

    /** Requests {@link #send} sent. */
    private final java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();

    private HttpResponse<String> send(HttpClient client, String base, String address, String user) throws Exception {
        sent.incrementAndGet();
        return client.send(HttpRequest.newBuilder(URI.create(base)).header("X-Forwarded-For", address).header("X-User-Id", user)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Pin writes Redis announced to the gateway ({@code homeport_pin_invalidations_total}). */
    private static long announcedWrites(Homeport homeport) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(?m)^homeport_pin_invalidations_total (\\S+)$")
                .matcher(homeport.metrics().scrape());
        return matcher.find() ? (long) Double.parseDouble(matcher.group(1)) : 0;
    }
}
