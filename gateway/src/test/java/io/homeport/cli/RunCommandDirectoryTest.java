package io.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.geoip.GeoIpFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code homeport run} with pins in Redis: a store it cannot reach, or none configured, stops the start with one line. */
class RunCommandDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void anUnreachableOrMissingPinStoreStopsTheStartWithOneLine() throws Exception {
        Files.write(dir.resolve("key"), new byte[32]);
        Files.copy(GeoIpFixtures.GEOLITE2_COUNTRY, dir.resolve("db.mmdb"));
        Files.writeString(dir.resolve("rules.yaml"), """
                version: 1
                regions:
                  us: {endpoints: ["http://127.0.0.1:9"], fail_over_to: []}
                residency:
                  default_region: us
                  users: {source: redis}
                """);
        String gateway = """
                listen: 127.0.0.1:0
                admin: {listen: 127.0.0.1:0}
                rules: rules.yaml
                geoip: {database: db.mmdb}
                audit: {user_hash_key_file: key}
                """;
        Path unreachable = Files.writeString(dir.resolve("unreachable.yaml"), gateway
                + "directory: {redis: {uris: [\"redis://127.0.0.1:1\"]}}\n");
        CommandRun down = CommandRun.of("run", "--config", unreachable.toString());
        assertThat(down.exitCode()).isEqualTo(1);
        assertThat(down.err()).contains(unreachable + ": directory.redis: cannot reach [redis://127.0.0.1:1]: ");

        Path none = Files.writeString(dir.resolve("none.yaml"), gateway);
        CommandRun missing = CommandRun.of("run", "--config", none.toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains(dir.resolve("rules.yaml")
                + ":1:1: residency.users.source is redis, but gateway.yaml has no directory.redis (where the pins are)");
    }
}
