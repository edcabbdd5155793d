package io.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.accesslog.UserHashKey;
import io.homeport.geoip.GeoIpFixtures;
import io.homeport.residency.MigrationBucket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code homeport diff}: what a rules change moves, from the rules alone and over a sample; exit 0, 1 or 2. */
class DiffCommandTest {

    static final String RULES = """
            version: 1
            regions:
              beijing: {endpoints: ["http://127.0.0.1:9101"], fail_over_to: []}
              singapore: {endpoints: ["http://127.0.0.1:9102"], fail_over_to: [us]}
              us: {endpoints: ["http://127.0.0.1:9103"], fail_over_to: [singapore]}
            residency:
              default_region: us
              countries: {CN: beijing, SG: singapore}
              migrations:
                - {name: india, countries: [IN], to: singapore, percent: %d}
              users: {file: users-%d.csv}
            """;

    @TempDir
    Path dir;

    private Path rules(int indiaPercent, String pins) throws Exception {
        Files.writeString(dir.resolve("users-" + indiaPercent + ".csv"), "user_id,region\n" + pins);
        return Files.writeString(dir.resolve("rules-" + indiaPercent + ".yaml"), RULES.formatted(indiaPercent, indiaPercent));
    }

    @Test
    void raisingAMigrationShowsTheCountryTheSampledUsersItMovesAndThePinsThatChange() throws Exception {
        Path old = rules(25, "u-1,us\nu-2,beijing\n");
        Path now = rules(50, "u-1,singapore\nu-2,beijing\n");
        StringBuilder sample = new StringBuilder("# network\trequests\tbucket\tuser\n");
        long moved = 0;
        for (int i = 0; i < 100; i++) {
            int bucket = MigrationBucket.of("in-user-" + i);
            sample.append("202.54.1.0/24\t2\t").append(bucket).append('\t').append(UserHashKey.DEMO.hash("in-user-" + i))
                    .append("\t-\n");
            if (bucket >= 2500 && bucket < 5000) {
                moved += 2;
            }
        }
        // u-1 (pinned to us, then to singapore) and 300 anonymous requests from China.
        sample.append("202.54.1.0/24\t50\t3000\t").append(UserHashKey.DEMO.hash("u-1")).append("\tpinned\n")
                .append("1.2.4.0/24\t300\t17\t-\t-\n");
        Path sampleFile = Files.writeString(dir.resolve("sample.tsv"), sample);

        CommandRun run = CommandRun.of("diff", "--rules", old.toString(), now.toString(),
                "--geoip", GeoIpFixtures.GEOLITE2_COUNTRY.toString(), "--sample", sampleFile.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        // With the gateways' key, u-1's requests are compared too: pinned us -> pinned singapore.
        Path key = Files.write(dir.resolve("user-hash.key"), "homeport demo: not a secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        CommandRun keyed = CommandRun.of("diff", "--rules", old.toString(), now.toString(),
                "--geoip", GeoIpFixtures.GEOLITE2_COUNTRY.toString(), "--sample", sampleFile.toString(),
                "--user-hash-key", key.toString());
        assertThat(keyed.out()).as(keyed.toString())
                .contains(String.format(java.util.Locale.ROOT, "of 550 sampled requests change home region (us -> singapore %d)", moved + 50))
                .doesNotContain("not compared");
        assertThat(moved).isPositive();
        assertThat(run.out())
                .contains(String.format(java.util.Locale.ROOT, "%.2f%% of 500 sampled requests change home region (us -> singapore %d)",
                        moved * 100.0 / 500, moved))
                .contains("50 requests of pinned users are not compared")
                .contains("IN: us 75%, singapore 25% -> singapore 50%, us 50%")
                .contains("Pinned users whose pin changes: 1")
                .contains("u-1: us -> singapore")
                .contains("Changes: yes (exit 1)");
    }

    @Test
    void noChangeIsExitZeroAndAnErrorIsExitTwo() throws Exception {
        Path same = rules(25, "u-1,us\n");
        CommandRun none = CommandRun.of("diff", "--rules", same.toString(), same.toString(),
                "--geoip", GeoIpFixtures.GEOLITE2_COUNTRY.toString());
        assertThat(none.exitCode()).as(none.toString()).isZero();
        assertThat(none.out()).contains("Changes: none (exit 0)");

        CommandRun withoutDatabase = CommandRun.of("diff", "--rules", same.toString(), same.toString());
        assertThat(withoutDatabase.exitCode()).as("the bundled demo database, for both sides: %s", withoutDatabase).isZero();
        assertThat(withoutDatabase.out()).contains("Homeport-Demo-Country").contains("Changes: none (exit 0)");

        Path broken = Files.writeString(dir.resolve("broken.yaml"), "version: 1\nregions: [\n");
        CommandRun invalid = CommandRun.of("diff", "--rules", same.toString(), broken.toString());
        assertThat(invalid.exitCode()).isEqualTo(2);
        assertThat(invalid.err()).contains(broken + ":").contains("a rules file is invalid; nothing compared");

        Path badSample = Files.writeString(dir.resolve("bad.tsv"), "1.2.4.0/24\t5\n999.1.1.1\n");
        CommandRun sample = CommandRun.of("diff", "--rules", same.toString(), same.toString(), "--sample", badSample.toString());
        assertThat(sample.exitCode()).isEqualTo(2);
        assertThat(sample.err()).contains(badSample + ":2: \"999.1.1.1\"");
    }
}
