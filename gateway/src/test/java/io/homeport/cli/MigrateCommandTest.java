package io.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.geoip.GeoIpFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code homeport migrate plan}: the line to commit, the guard, and whom the next phase moves. */
class MigrateCommandTest {

    @TempDir
    Path dir;

    Path production() throws Exception {
        Path examples = GeoIpFixtures.EXAMPLES;
        Files.copy(examples.resolve("production-users.csv"), dir.resolve("production-users.csv"));
        return Files.copy(examples.resolve("production.yaml"), dir.resolve("production.yaml"));
    }

    @Test
    void plansTheNextPhaseAndShowsWhomItMoves() throws Exception {
        Path rules = production();
        Path sample = Files.writeString(dir.resolve("sample.txt"), "202.54.1.30 1000\n1.2.4.8 500\n");
        Path out = dir.resolve("next.yaml");
        CommandRun run = CommandRun.of("migrate", "plan", "india-phase-2", "--rules", rules.toString(), "--to-percent", "75",
                "--geoip", GeoIpFixtures.GEOLITE2_COUNTRY.toString(), "--sample", sample.toString(), "--out", out.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("homeport migrate plan india-phase-2: percent 50 -> 75, state cut_over -> cut_over")
                .contains("  " + rules + ":52\n  -      percent: 50\n  +      percent: 75\n")
                .contains("Whom it moves (homeport diff):")
                .contains("IN: ");
        assertThat(Files.readString(out)).isEqualTo(Files.readString(rules).replace("      percent: 50\n", "      percent: 75\n"));
        assertThat(Files.list(dir)).noneMatch(file -> file.getFileName().toString().contains(".plan-"));
    }

    @Test
    void aLowerPercentIsRefusedUnlessRolledBackAndAStateIsWrittenInTheFilesStyle() throws Exception {
        Path rules = production();
        CommandRun lowered = CommandRun.of("migrate", "plan", "india-phase-2", "--rules", rules.toString(), "--to-percent", "25");
        assertThat(lowered.exitCode()).isEqualTo(1);
        assertThat(lowered.err()).contains(rules + " (planned):52:16: migration \"india-phase-2\": percent 50 -> 25", "refused");

        CommandRun rolledBack = CommandRun.of("migrate", "plan", "india-phase-2", "--rules", rules.toString(), "--to-percent", "0",
                "--state", "rolled_back");
        assertThat(rolledBack.exitCode()).as(rolledBack.toString()).isZero();
        assertThat(rolledBack.out()).contains("  -      percent: 50\n  +      percent: 0\n  +      state: rolled_back\n");

        CommandRun unknown = CommandRun.of("migrate", "plan", "india", "--rules", rules.toString(), "--to-percent", "60");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no migration \"india\" (migrations: india-phase-2, sea-phase-1)");
    }

    @Test
    void statusCountsTheUsersFilesPinsToEachMigrationsRegion() throws Exception {
        Path rules = production();
        long toSingapore = Files.readAllLines(dir.resolve("production-users.csv")).stream()
                .filter(line -> line.endsWith(",singapore")).count();
        CommandRun run = CommandRun.of("migrate", "status", "--rules", rules.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(toSingapore).isPositive();
        assertThat(run.out())
                .contains("india-phase-2: cut_over, 50% of IN to singapore\n  pins to singapore in production-users.csv: "
                        + toSingapore + "\n");
    }
}
