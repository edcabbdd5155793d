package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling update under traffic, as Kubernetes does it: behind a layer-4 balancer, each old
 * gateway leaves the rotation, drains (its keep-alive clients are told to reconnect) and stops,
 * while a new one joins. Clients with keep-alive connections send requests throughout; not one
 * may fail.
 */
class RollingUpdateTest {

    static final int CLIENTS = 4;

    @TempDir
    Path directory;

    @Test
    void replacingBothGatewaysUnderTrafficFailsNoRequest() throws Exception {
        TestGateway first = new TestGateway(Files.createDirectories(directory.resolve("first")));
        TestGateway second = new TestGateway(Files.createDirectories(directory.resolve("second")));
        List<TestGateway> started = new ArrayList<>(List.of(first, second));
        try (TcpBalancer balancer = new TcpBalancer(List.of(port(first), port(second)))) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong ok = new AtomicLong();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Thread thread = new Thread(() -> traffic(balancer.port(), running, ok, failures), "client-" + i);
                thread.start();
                clients.add(thread);
            }
            Thread.sleep(500);
            for (TestGateway old : List.of(first, second)) {
                TestGateway replacement = new TestGateway(Files.createDirectories(directory.resolve("new-" + started.size())));
                started.add(replacement);
                balancer.add(port(replacement)); // ready: it joins the rotation
                balancer.remove(port(old));      // its /readyz fails (the preStop pause): new connections go elsewhere
                Thread.sleep(200);
                long before = ok.get();
                old.homeport.close();            // SIGTERM: the drain
                Thread.sleep(500);
                assertThat(ok.get()).as("traffic kept flowing").isGreaterThan(before);
            }
            running.set(false);
            for (Thread client : clients) {
                client.join(10_000);
            }
            assertThat(failures).as("failed requests").isEmpty();
            assertThat(ok.get()).isGreaterThan(100);
            assertThat(started.get(2).us.received.size() + started.get(3).us.received.size())
                    .as("the new gateways took the traffic").isPositive();
        } finally {
            started.forEach(TestGateway::close);
        }
    }

    private static int port(TestGateway gateway) {
        return gateway.uri("/").getPort();
    }

    /** One client: a keep-alive connection pool of its own, requests one after another. */
    private static void traffic(int port, AtomicBoolean running, AtomicLong ok, ConcurrentLinkedQueue<String> failures) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("X-Forwarded-For", "8.8.8.8").timeout(Duration.ofSeconds(10)).build();
        while (running.get()) {
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    failures.add("status " + response.statusCode() + ": " + response.body());
                }
            } catch (Exception e) {
                failures.add(e.toString());
            }
        }
    }
}
