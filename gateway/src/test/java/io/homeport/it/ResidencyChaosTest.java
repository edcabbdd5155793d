package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.config.GatewayConfig;
import io.homeport.net.Cidr;
import io.homeport.net.HostAndPort;
import io.homeport.proxy.ProxySettings;
import io.homeport.server.Homeport;
import io.homeport.upstream.HealthSettings;
import io.homeport.upstream.UpstreamTimeouts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backends die and come back at random while every market sends traffic. Whatever happens, no
 * request may reach a region its rules forbid, and every request gets an answer.
 */
class ResidencyChaosTest {

    /** Client address, its home region, and where its rules let it go. */
    private record Market(String clientIp, String country, String home, Set<String> allowed) {}

    private static final List<Market> MARKETS = List.of(
            new Market("1.2.4.8", "CN", "beijing", Set.of("beijing")),
            new Market("165.21.83.88", "SG", "singapore", Set.of("singapore", "us")),
            new Market("202.188.0.133", "MY", "singapore", Set.of("singapore", "us")),
            new Market("8.8.8.8", "US", "us", Set.of("us", "singapore")),
            new Market("200.160.2.3", "BR", "us", Set.of("us", "singapore")));

    private static final List<String> REGIONS = List.of("beijing", "singapore", "us");

    @TempDir
    Path directory;

    @Test
    void residencyHoldsAndNoRequestIsLostWhileBackendsDieAndReturn() throws Exception {
        LeakCheck.install();
        AtomicReferenceArray<TestBackend> backends = new AtomicReferenceArray<>(REGIONS.size());
        int[] ports = new int[REGIONS.size()];
        for (int i = 0; i < REGIONS.size(); i++) {
            backends.set(i, new TestBackend(REGIONS.get(i)));
            ports[i] = backends.get(i).port();
        }
        Files.writeString(directory.resolve("rules.yaml"), """
                version: 1
                regions:
                  beijing: {endpoints: ["http://127.0.0.1:%d"], fail_over_to: []}
                  singapore: {endpoints: ["http://127.0.0.1:%d"], fail_over_to: [us]}
                  us: {endpoints: ["http://127.0.0.1:%d"], fail_over_to: [singapore]}
                residency:
                  default_region: us
                  countries: {CN: beijing, SG: singapore, MY: singapore}
                """.formatted(ports[0], ports[1], ports[2]));
        Path db = directory.resolve("geoip.mmdb");
        Files.copy(TestGateway.FIXTURE_DB, db, StandardCopyOption.REPLACE_EXISTING);
        GatewayConfig config = GatewayConfig.of(directory.resolve("rules.yaml"), db)
                .withListeners(List.of(new GatewayConfig.Listener(new HostAndPort("127.0.0.1", 0), Optional.empty(), false)))
                .withAdmin(new GatewayConfig.Admin(new HostAndPort("127.0.0.1", 0), Optional.empty()))
                .withGeoIp(new GatewayConfig.GeoIp(db, 1000))
                .withClientIp(new GatewayConfig.ClientIp(List.of(Cidr.parse("127.0.0.0/8").orElseThrow())))
                .withProxy(ProxySettings.DEFAULTS.withDirectPath(TestGateway.DIRECT_PATH))
                .withUpstream(new UpstreamTimeouts(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(30)))
                .withHealth(new HealthSettings(Optional.of("/health"), Duration.ofMillis(100), Duration.ofMillis(200), 1, 1, 2,
                        Duration.ofMillis(500)))
                .withWorkers(2);
        Homeport homeport = Homeport.start(Homeport.Options.forDemo(config, Duration.ofSeconds(5),
                OutputStream.nullOutputStream()));
        URI uri = URI.create("http://127.0.0.1:" + homeport.proxyAddresses().get(0).getPort() + "/api/x");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(MARKETS.size());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        List<Future<?>> load = MARKETS.stream().<Future<?>>map(market -> clients.submit(() -> {
            while (System.nanoTime() < deadline) {
                try {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri)
                            .header("X-Forwarded-For", market.clientIp()).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    statuses.merge(response.statusCode(), 1, Integer::sum);
                    String served = response.headers().firstValue("X-Homeport-Region").orElse(null);
                    if (response.statusCode() == 200 && !market.allowed().contains(served)) {
                        violations.add(market + " served by " + served);
                    }
                    if (!Set.of(200, 502, 503, 504).contains(response.statusCode())) {
                        violations.add(market + " got " + response.statusCode() + " " + response.body());
                    }
                } catch (IOException e) {
                    if (String.valueOf(e.getMessage()).startsWith("fixed content-length")) {
                        // The backend died after sending its response head: nothing can complete that
                        // answer, so the gateway closes the connection and the client sees the body cut.
                        statuses.merge(-1, 1, Integer::sum);
                    } else {
                        violations.add(market + " lost: " + e);
                    }
                } catch (InterruptedException e) {
                    violations.add(market + " lost: " + e);
                }
            }
        })).toList();

        Random chaos = new Random(7);
        int kills = 0;
        while (System.nanoTime() < deadline - TimeUnit.MILLISECONDS.toNanos(500)) {
            Thread.sleep(150 + chaos.nextInt(200));
            int victim = chaos.nextInt(REGIONS.size());
            TestBackend current = backends.get(victim);
            if (current != null) {
                collect(current, violations);
                current.close();
                backends.set(victim, null);
                kills++;
            } else {
                backends.set(victim, revive(REGIONS.get(victim), ports[victim]));
            }
        }
        for (Future<?> future : load) {
            future.get(30, TimeUnit.SECONDS);
        }
        clients.shutdown();
        for (int i = 0; i < REGIONS.size(); i++) {
            if (backends.get(i) != null) {
                collect(backends.get(i), violations);
                backends.get(i).close();
            }
        }
        homeport.close();

        assertThat(kills).as("backends killed").isGreaterThan(5);
        assertThat(statuses.getOrDefault(200, 0)).as("answered from an allowed region").isGreaterThan(100);
        assertThat(statuses.getOrDefault(503, 0)).as("503 while beijing was down").isPositive();
        assertThat(violations).as("residency violations and lost requests; statuses %s", statuses).isEmpty();
        assertThat(homeport.metrics().residencyViolations()).as("homeport_residency_violations_total").isZero();
        assertThat(statuses.getOrDefault(-1, 0)).as("answers cut because their backend died mid-answer")
                .isLessThan(statuses.getOrDefault(200, 0) / 20 + 1);
        LeakCheck.assertNoLeaks();
    }

    /** What each backend received must have come from a market allowed there. */
    private static void collect(TestBackend backend, ConcurrentLinkedQueue<String> violations) {
        for (TestBackend.Received received : backend.received) {
            if (received.uri().startsWith("/health")) {
                continue;
            }
            String country = received.header("X-Homeport-Country");
            MARKETS.stream().filter(m -> m.country().equals(country)).findFirst().ifPresent(market -> {
                if (!market.allowed().contains(backend.region)) {
                    violations.add(country + " request reached " + backend.region);
                }
            });
        }
    }

    private static TestBackend revive(String region, int port) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return new TestBackend(region, port);
            } catch (BindException e) {
                if (attempt > 50) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
