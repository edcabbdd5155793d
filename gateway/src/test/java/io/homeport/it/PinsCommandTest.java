package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.homeport.cli.CommandRun;
import io.homeport.directory.PinStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code homeport pins} against a real redis-server: get, set, delete, and a pipelined import. */
class PinsCommandTest {

    @TempDir
    Path dir;

    /** What the pins commands log for audit, while a test runs. */
    private final ListAppender<ILoggingEvent> audit = new ListAppender<>();
    private final Logger auditLogger = (Logger) LoggerFactory.getLogger("io.homeport.audit.pins");

    @BeforeEach
    void listenToTheAuditLog() {
        audit.start();
        auditLogger.addAppender(audit);
    }

    @AfterEach
    void stopListening() {
        auditLogger.detachAppender(audit);
    }

    private List<String> audited() {
        return audit.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void setGetDeleteAndImport() throws Exception {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
            CommandRun set = CommandRun.of("pins", "set", "u-1", "singapore", "--redis", redis.uri());
            assertThat(set.exitCode()).as(set.toString()).isZero();
            assertThat(set.out()).contains("u-1 (none) -> singapore");
            assertThat(CommandRun.of("pins", "get", "u-1", "--redis", redis.uri()).out()).contains("u-1 singapore");
            assertThat(CommandRun.of("pins", "set", "u-1", "us", "--redis", redis.uri()).out()).contains("u-1 singapore -> us");
            assertThat(CommandRun.of("pins", "delete", "u-1", "--redis", redis.uri()).out()).contains("u-1 us -> (none)");
            assertThat(CommandRun.of("pins", "get", "u-1", "--redis", redis.uri()).out()).contains("u-1 (none)");
            // Each change for audit: what, who, when, where; reads are not changes.
            String by = " by " + System.getProperty("user.name") + " at ";
            assertThat(audited()).hasSize(3);
            assertThat(audited().get(0)).startsWith("pin set: user u-1 (none) -> singapore" + by).endsWith("(" + redis.uri() + ")");
            assertThat(audited().get(1)).startsWith("pin set: user u-1 singapore -> us" + by);
            assertThat(audited().get(2)).startsWith("pin deleted: user u-1 us -> (none)" + by);

            // A user id or region the store does not take, or a Redis it cannot reach: one line, exit code 1.
            CommandRun badId = CommandRun.of("pins", "set", "u 1", "us", "--redis", redis.uri());
            assertThat(badId.exitCode()).isEqualTo(1);
            assertThat(badId.err()).startsWith("homeport pins set: user id \"u 1\"").doesNotContain("\tat ");
            for (String[] command : new String[][] {{"pins", "get", "u-1"}, {"pins", "delete", "u-1"},
                    {"pins", "import", "../routing-rules/examples/demo-users.csv"}}) {
                String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command),
                        java.util.stream.Stream.of("--redis", "redis://127.0.0.1:1", "--timeout", "1s")).toArray(String[]::new);
                CommandRun unreachable = CommandRun.of(args);
                assertThat(unreachable.exitCode()).as(unreachable.toString()).isEqualTo(1);
                assertThat(unreachable.err()).as(unreachable.toString())
                        .startsWith("homeport " + command[0] + " " + command[1] + ": Redis at redis://127.0.0.1:1: ")
                        .doesNotContain("\tat ");
            }

            // A bad row writes nothing.
            Path bad = Files.writeString(dir.resolve("bad.csv"), "user_id,region\nu-1,singapore\nu 2,us\nu-3,Mars\n");
            CommandRun refused = CommandRun.of("pins", "import", bad.toString(), "--redis", redis.uri(),
                    "--rules", "../routing-rules/examples/demo.yaml");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains(bad + ":3:1: user id \"u 2\"", bad + ":4:1: region \"Mars\"", "nothing written");
            assertThat(CommandRun.of("pins", "get", "u-1", "--redis", redis.uri()).out()).contains("u-1 (none)");

            int rows = 100_000;
            StringBuilder csv = new StringBuilder("user_id,region\n");
            for (int i = 0; i < rows; i++) {
                csv.append("user-").append(i).append(',').append(i % 3 == 0 ? "singapore" : "us").append('\n');
            }
            Path file = Files.writeString(dir.resolve("users.csv"), csv);
            CommandRun imported = CommandRun.of("pins", "import", file.toString(), "--redis", redis.uri());
            assertThat(imported.exitCode()).as(imported.toString()).isZero();
            assertThat(imported.out()).contains(rows + " pins written from " + file);
            assertThat(audited().get(audited().size() - 1)).startsWith("pins imported: " + rows + " pins from " + file + " by ");
            assertThat(imported.err()).containsPattern("pins import: 100,000 written in [0-9.]+ s \\([0-9,]+ pins/s\\)");
            System.out.println("PinsCommandTest: " + imported.err().trim()); // the rate, for RESULTS.md
            try (PinStore store = PinStore.connect(redis.uri(), Duration.ofSeconds(2))) {
                assertThat(store.get("user-0")).isEqualTo("singapore");
                assertThat(store.get("user-99999")).isEqualTo("singapore");
                assertThat(store.get("user-99998")).isEqualTo("us");
            }
        }
    }

    /**
     * A write its master's replica does not confirm: Redis took it, so it is printed, counted for its
     * migration and logged as any change; then the command fails, one line naming the master.
     */
    @Test
    void aWriteNoReplicaConfirmsIsReportedAndStillCounted() throws Exception {
        try (RedisServer master = new RedisServer(dir.resolve("master"), "--repl-diskless-sync-delay", "0");
                RedisServer replica = new RedisServer(dir.resolve("replica"), "--replicaof", "127.0.0.1",
                        Integer.toString(master.port()))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!RedisCluster.run(List.of(RedisCluster.CLI.toString(), "-p", Integer.toString(replica.port()), "info",
                    "replication"), 10).contains("master_link_status:up")) {
                assertThat(System.nanoTime()).as("the replica syncs with its master").isLessThan(deadline);
                Thread.sleep(100);
            }
            assertThat(CommandRun.of("pins", "set", "u-1", "us", "--redis", master.uri()).exitCode()).isZero();

            replica.pause();
            CommandRun unconfirmed;
            try {
                unconfirmed = CommandRun.of("pins", "set", "u-1", "singapore", "--redis", master.uri(), "--timeout", "1s",
                        "--migration", "m-1");
            } finally {
                replica.resume();
            }
            assertThat(unconfirmed.exitCode()).as(unconfirmed.toString()).isEqualTo(1);
            assertThat(unconfirmed.out()).contains("u-1 us -> singapore");
            assertThat(audited().get(audited().size() - 1)).startsWith("pin set (unconfirmed by replicas): user u-1 us -> singapore by ");
            assertThat(unconfirmed.err()).startsWith("homeport pins set: Redis at " + master.uri()
                    + ": written, but no replica of [127.0.0.1:" + master.port() + "] confirmed it within 800 ms").doesNotContain("\tat ");
            try (PinStore store = PinStore.connect(master.uri(), Duration.ofSeconds(2))) {
                assertThat(store.get("u-1")).isEqualTo("singapore");
                assertThat(store.written("m-1")).as("counted for its migration").isEqualTo(1);
            }
        }
    }

    @Test
    void explainReadsThePinFromRedisAndSaysSo() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                version: 1
                regions:
                  beijing:   {endpoints: ["http://127.0.0.1:9"], fail_over_to: []}
                  singapore: {endpoints: ["http://127.0.0.1:9"]}
                  us:        {endpoints: ["http://127.0.0.1:9"]}
                residency:
                  default_region: us
                  countries: {CN: beijing, SG: singapore}
                  users: {source: redis, strict: {countries: [CN]}}
                """);
        try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
            assertThat(CommandRun.of("pins", "set", "roamer", "singapore", "--redis", redis.uri()).exitCode()).isZero();

            CommandRun pinned = CommandRun.of("explain", "--rules", rules.toString(), "--ip", "1.2.4.8", "--user", "roamer",
                    "--redis", redis.uri());
            assertThat(pinned.exitCode()).as(pinned.toString()).isZero();
            assertThat(pinned.out()).contains("user roamer is pinned to singapore in Redis (read from Redis at "
                    + redis.uri() + " just now, key homeport:pin:roamer)");
            CommandRun json = CommandRun.of("explain", "--rules", rules.toString(), "--ip", "1.2.4.8", "--user", "roamer",
                    "--redis", redis.uri(), "--json");
            assertThat(json.out()).contains("\"region\" : \"singapore\"", "\"reason\" : \"pin\"");

            CommandRun nobody = CommandRun.of("explain", "--rules", rules.toString(), "--ip", "1.2.4.8", "--user", "homebody",
                    "--redis", redis.uri());
            assertThat(nobody.out()).contains("user homebody has no pin in Redis (read from Redis at", "country CN maps to beijing");

            // Without a store to read, explain says so, and decides as a gateway that cannot read the pin would: strict CN, 503.
            CommandRun unread = CommandRun.of("explain", "--rules", rules.toString(), "--ip", "1.2.4.8", "--user", "roamer");
            assertThat(unread.exitCode()).isZero();
            assertThat(unread.out()).contains("is unavailable", "not read: give --redis URI", "country CN is strict");
        }
        CommandRun down = CommandRun.of("explain", "--rules", rules.toString(), "--ip", "1.2.4.8", "--user", "roamer",
                "--redis", "redis://127.0.0.1:1");
        assertThat(down.exitCode()).isEqualTo(1);
        assertThat(down.err()).contains("homeport explain: cannot read the pin of roamer from Redis at redis://127.0.0.1:1");
    }

    @Test
    void theCopiersWritesAreCountedPerMigrationForMigrateStatus() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                version: 1
                regions:
                  singapore: {endpoints: ["http://127.0.0.1:9"]}
                  us:        {endpoints: ["http://127.0.0.1:9"]}
                residency:
                  default_region: us
                  countries: {IN: us}
                  migrations:
                    - {name: india-phase-2, countries: [IN], to: singapore, percent: 50}
                  users: {source: redis}
                """);
        try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
            assertThat(CommandRun.of("pins", "set", "in-1", "singapore", "--redis", redis.uri(), "--migration", "india-phase-2")
                    .exitCode()).isZero();
            // The same pin again is not another user moved.
            CommandRun.of("pins", "set", "in-1", "singapore", "--redis", redis.uri(), "--migration", "india-phase-2");
            Path copied = Files.writeString(dir.resolve("copied.csv"), "user_id,region\nin-2,singapore\nin-3,singapore\nin-4,singapore\n");
            assertThat(CommandRun.of("pins", "import", copied.toString(), "--redis", redis.uri(), "--migration", "india-phase-2")
                    .exitCode()).isZero();

            CommandRun status = CommandRun.of("migrate", "status", "--rules", rules.toString(), "--redis", redis.uri());
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(status.out()).contains("india-phase-2: cut_over, 50% of IN to singapore\n"
                    + "  pins written by the copier: 4 (homeport pins set|import --migration india-phase-2;"
                    + " Redis key homeport:migration:india-phase-2:pins_written)");
            // The counter is not a pin: gateways never see it.
            assertThat(CommandRun.of("pins", "get", "in-1", "--redis", redis.uri()).out()).contains("in-1 singapore");
        }
        CommandRun down = CommandRun.of("migrate", "status", "--rules", rules.toString(), "--redis", "redis://127.0.0.1:1");
        assertThat(down.exitCode()).isEqualTo(1);
        assertThat(down.err()).contains("homeport migrate status: Redis at redis://127.0.0.1:1");
    }
}
