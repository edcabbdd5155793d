package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.directory.Pin;
import io.homeport.directory.PinDirectory;
import io.homeport.directory.PinStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins in a real Redis Cluster (three masters with a replica each): the import is split by slot,
 * the near-cache is invalidated by whichever master owns a key, and when a master is killed its
 * replica takes over — pins the near-cache holds keep serving, no lookup ever answers a wrong
 * region, and the new master's writes invalidate the near-cache again.
 */
class PinClusterTest {

    @TempDir
    Path dir;

    @Test
    void pinsSurviveAMastersDeath() throws Exception {
        try (RedisCluster cluster = new RedisCluster(dir.resolve("cluster"))) {
            int users = 10_000;
            StringBuilder csv = new StringBuilder();
            for (int i = 0; i < users; i++) {
                csv.append("user-").append(i).append(',').append(region(i)).append('\n');
            }
            Path file = Files.writeString(dir.resolve("users.csv"), csv);
            try (PinStore store = PinStore.connect(cluster.seed(), Duration.ofSeconds(5))) {
                assertThat(store.importFile(file, Duration.ofSeconds(10), count -> { })).isEqualTo(users);
                assertThat(store.get("user-4711")).isEqualTo(region(4711));
            }
            PinDirectory.Settings settings = new PinDirectory.Settings(List.of(cluster.seed()), Duration.ofMillis(200), 100_000,
                    Duration.ofMinutes(5));
            try (PinDirectory directory = PinDirectory.connect(settings, Duration.ofSeconds(5));
                    PinStore store = PinStore.connect(cluster.seed(), Duration.ofSeconds(5))) {
                assertThat(directory.cluster()).isTrue();
                for (int i = 0; i < 100; i++) {
                    assertThat(directory.lookup("user-" + i).get(5, TimeUnit.SECONDS).region()).isEqualTo(region(i));
                }
                // A write on any master reaches the near-cache.
                store.set("user-7", "beijing");
                awaitInvalidated(directory, "user-7");
                assertThat(directory.lookup("user-7").get(5, TimeUnit.SECONDS).region()).isEqualTo("beijing");

                // Chaos: the master of user-42's slot dies.
                RedisServer victim = cluster.masterOf("homeport:pin:user-42");
                victim.kill();
                long failures = 0;
                long answers = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                boolean recovered = false;
                String lastError = "";
                while (System.nanoTime() < deadline && !recovered) {
                    for (int i = 0; i < 200; i++) {
                        String user = "user-" + (i * 37 % users);
                        String expected = user.equals("user-7") ? "beijing" : region(i * 37 % users);
                        try {
                            Pin pin = directory.lookup(user).get(5, TimeUnit.SECONDS);
                            answers++;
                            assertThat(pin.region()).as("%s never gets another region's pin", user).isEqualTo(expected);
                        } catch (ExecutionException e) {
                            failures++; // bounded by the lookup timeout; the gateway decides without the pin
                        }
                    }
                    try {
                        recovered = Objects.equals(store.get("user-42"), region(42)) && store.set("user-42", "us") != null;
                    } catch (RuntimeException failingOver) {
                        lastError = failingOver.toString();
                        Thread.sleep(200);
                    }
                }
                assertThat(recovered).as("a replica took over user-42's slot; last error %s; nodes:%n%s", lastError,
                        RedisCluster.run(List.of(RedisCluster.CLI.toString(), "-p", Integer.toString(cluster.nodes.stream()
                                .filter(node -> node != victim).findFirst().orElseThrow().port()), "cluster", "nodes"), 10)).isTrue();
                assertThat(answers).isPositive();
                // The new master's writes invalidate too.
                awaitInvalidated(directory, "user-42");
                assertThat(directory.lookup("user-42").get(5, TimeUnit.SECONDS).region()).isEqualTo("us");
                System.out.println("PinClusterTest: " + answers + " answers, " + failures + " failed lookups during the fail-over");
            }
        }
    }

    /**
     * A pin write returns only once the replica of its key's master has it (WAIT, over the
     * connection that carried the write): with that replica stalled, the write is refused and the
     * message names the master — a pin only its master holds is lost when the master fails over.
     */
    @Test
    void aPinWriteIsConfirmedOnlyOnceItsMastersReplicaHasIt() throws Exception {
        // A node timeout longer than the stall: the stalled replica is not counted failed meanwhile.
        try (RedisCluster cluster = new RedisCluster(dir.resolve("cluster"), Duration.ofSeconds(10));
                PinStore store = PinStore.connect(cluster.seed(), Duration.ofSeconds(2))) {
            assertThat(store.set("user-1", "us")).isNull();
            RedisServer master = cluster.masterOf("homeport:pin:user-1");
            RedisServer replica = cluster.replicaOf(master);
            String unconfirmed = "no replica of [127.0.0.1:" + master.port() + "] confirmed it";
            Path file = Files.writeString(dir.resolve("one.csv"), "user-1,beijing\n");
            replica.pause();
            try {
                assertThatThrownBy(() -> store.set("user-1", "singapore")).hasMessageContaining(unconfirmed);
                assertThatThrownBy(() -> store.importFile(file, Duration.ofSeconds(2), count -> { }))
                        .hasMessageContaining(unconfirmed);
            } finally {
                replica.resume();
            }
            assertThat(store.set("user-1", "us")).as("the unconfirmed writes reached the master").isEqualTo("beijing");
        }
    }

    private static String region(int i) {
        return i % 3 == 0 ? "singapore" : i % 3 == 1 ? "us" : "beijing";
    }

    private static void awaitInvalidated(PinDirectory directory, String user) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (directory.cached(user) != null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(directory.cached(user)).as("%s invalidated", user).isNull();
    }
}
