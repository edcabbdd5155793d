package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.cli.CommandRun;
import io.homeport.residency.MigrationBucket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code homeport_migration_requests_total{migration,side}} counted by the gateway, and {@code
 * homeport migrate status --admin} reading it: India's requests split into moved (bucket under the
 * percent), pinned and source, exactly as their user ids' buckets say.
 */
class MigrationStatusTest {

    @TempDir
    Path directory;

    @Test
    void requestsOfAMigrationAreCountedBySideAndStatusShowsThem() throws Exception {
        try (TestGateway gateway = new TestGateway(directory)) { // India migrating to singapore at 25%
            int moved = 0;
            int users = 120;
            for (int i = 0; i < users; i++) {
                String user = "in-user-" + i;
                assertThat(gateway.get("/", "202.54.1.30", "X-User-Id", user).statusCode()).isEqualTo(200);
                moved += MigrationBucket.of(user) < 2_500 ? 1 : 0;
            }
            // A pinned user from India, and a Chinese user (no migration: not counted).
            assertThat(gateway.get("/", "202.54.1.30", "X-User-Id", "u-pinned-sg").statusCode()).isEqualTo(200);
            assertThat(gateway.get("/", "1.2.4.8", "X-User-Id", "cn-user").statusCode()).isEqualTo(200);

            CommandRun status = CommandRun.of("migrate", "status", "--rules", gateway.rules.toString(),
                    "--admin", "http://127.0.0.1:" + gateway.homeport.adminAddress().getPort());
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(status.out())
                    .contains("india: cut_over, 25% of IN to singapore")
                    .contains(String.format(java.util.Locale.ROOT, "requests since the gateway started: %d moved (singapore), 1 pinned, %d on the source",
                            moved, users - moved));
            assertThat(moved).isBetween(10, 60); // the buckets of 120 ids around a quarter: the test means something
        }
    }
}
