package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.cli.CommandRun;
import io.homeport.directory.PinStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code homeport pins} against a real redis-server: get, set, delete, and a pipelined import. */
class PinsCommandTest {

    @TempDir
    Path dir;

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
            assertThat(imported.err()).containsPattern("pins import: 100,000 written in [0-9.]+ s \\([0-9,]+ pins/s\\)");
            System.out.println("PinsCommandTest: " + imported.err().trim()); // the rate, for RESULTS.md
            try (PinStore store = PinStore.connect(redis.uri(), Duration.ofSeconds(2))) {
                assertThat(store.get("user-0")).isEqualTo("singapore");
                assertThat(store.get("user-99999")).isEqualTo("singapore");
                assertThat(store.get("user-99998")).isEqualTo("us");
            }
        }
    }
}
