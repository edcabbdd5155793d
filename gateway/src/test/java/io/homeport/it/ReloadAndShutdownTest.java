package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.reload.ReloadResult;
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload never drops a request and never applies a bad file; shutdown drains what is in flight. */
class ReloadAndShutdownTest {

    @TempDir
    Path directory;

    TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        LeakCheck.assertNoLeaks();
    }

    @Test
    void reloadsManyTimesUnderLoadWithoutFailingARequest() throws Exception {
        gateway = new TestGateway(directory);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<?>> load = new ArrayList<>();
        String[] addresses = {"1.2.4.8", "165.21.83.88", "202.54.1.30", "8.8.8.8"};
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (String address : addresses) {
            load.add(clients.submit(() -> {
                while (running.get() && System.nanoTime() < deadline) {
                    try {
                        HttpResponse<String> response = gateway.get("/api/x", address);
                        if (response.statusCode() != 200) {
                            failures.add(address + " -> " + response.statusCode() + " " + response.body());
                        }
                        answered.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(address + " -> " + e);
                    }
                }
            }));
        }

        int reloads = 0;
        for (int i = 0; i < 40; i++) {
            // Let traffic flow between reloads, so that reloads and requests really interleave.
            int target = answered.get() + 4;
            while (answered.get() < target && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            // India's migration advances a step each time (a lower percent would be refused: MigrationGuard).
            gateway.writeRules(26 + i);
            ReloadResult result = gateway.homeport.reloader().reload("test");
            assertThat(result.success()).as("reload %d: %s", i, result.errors()).isTrue();
            reloads++;
            if (i % 10 == 5) {
                Files.writeString(gateway.rules, "version: 1\nregions: {broken");
                assertThat(gateway.homeport.reloader().reload("test").success()).isFalse();
            }
        }
        running.set(false);
        for (Future<?> future : load) {
            future.get(30, TimeUnit.SECONDS);
        }
        clients.shutdown();

        assertThat(reloads).isEqualTo(40);
        assertThat(answered.get()).isGreaterThanOrEqualTo(160);
        assertThat(failures).as("failed requests during reloads").isEmpty();
        assertThat(gateway.homeport.metrics().residencyViolations()).as("homeport_residency_violations_total").isZero();
    }

    @Test
    void aBadRulesFileIsRefusedAndTheLastGoodOneKeepsServing() throws Exception {
        gateway = new TestGateway(directory);
        Object before = gateway.homeport.config().current();
        Files.writeString(gateway.rules, """
                version: 1
                regions:
                  us: {endpoints: ["http://127.0.0.1:1"]}
                residency: {default_region: singapor}
                """);

        HttpResponse<String> reload = gateway.client.send(HttpRequest.newBuilder(gateway.admin("/reload"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(reload.statusCode()).isEqualTo(422);
        assertThat(reload.body()).contains("rules.yaml:4:29");
        assertThat(gateway.homeport.config().current()).isSameAs(before);
        assertThat(gateway.get("/", "1.2.4.8").headers().firstValue("X-Homeport-Region")).hasValue("beijing");
        assertThat(gateway.homeport.metrics().scrape())
                .contains("homeport_config_reloads_total{kind=\"rules\",result=\"failure\"}");
    }

    @Test
    void shutdownDrainsRequestsInFlightThenStopsAccepting() throws Exception {
        gateway = new TestGateway(directory);
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return gateway.get("/slow?millis=1000", "8.8.8.8");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gateway.homeport.inFlightRequests() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(gateway.homeport.inFlightRequests()).isEqualTo(1);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway.homeport::close);
        while (gateway.homeport.readiness().isReady() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(gateway.homeport.readiness().isReady()).as("/readyz turns 503 first").isFalse();

        assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        closing.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> gateway.get("/", "8.8.8.8")).isInstanceOf(ConnectException.class);
    }

}
