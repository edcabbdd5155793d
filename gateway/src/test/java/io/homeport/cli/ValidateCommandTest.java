package io.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.geoip.GeoIpFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {

    private static final Path DEMO = GeoIpFixtures.EXAMPLES.resolve("demo.yaml");
    private static final Path PRODUCTION = GeoIpFixtures.EXAMPLES.resolve("production.yaml");

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    @Test
    void bothExamplesAreValidAndTheirTestsPass() {
        CommandRun run = CommandRun.of("validate", DEMO.toString(), PRODUCTION.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).as(run.toString()).isEmpty();
        assertThat(run.out())
                .contains(DEMO + ": ok (3 regions, 7 countries, 1 migrations, 3 pinned users, 10/10 tests passed)")
                .contains(PRODUCTION + ": ok (")
                .contains("note: tests with ip: were looked up in the bundled demo GeoIP database");
    }

    @Test
    void examplesPassWithAGeoLite2Fixture() {
        CommandRun run = CommandRun.of("validate", "--geoip", GeoIpFixtures.GEOLITE2_COUNTRY.toString(),
                DEMO.toString(), PRODUCTION.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains(DEMO + ": ok").contains(PRODUCTION + ": ok").doesNotContain("note:");
    }

    @Test
    void examplesPassWithTheWorldDatabase() {
        Path worldDb = GeoIpFixtures.worldDb();
        CommandRun run = CommandRun.of("validate", "--geoip", worldDb.toString(), DEMO.toString(), PRODUCTION.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains(DEMO + ": ok").contains(PRODUCTION + ": ok");
    }

    @Test
    void printsEveryProblemOfAnInvalidFileWithItsPosition() throws IOException {
        Path bad = write("bad.yaml", """
                version: 2
                regions:
                  beijing:
                    endpoints: ["http://127.0.0.1:9101"]
                    fail_over_to: []
                  us:
                    endpoints: ["ftp://127.0.0.1:9103"]
                    fail_over_to: [bejing]
                residency:
                  default_region: usa
                  countries:
                    CN: beijing
                    UK: us
                  migrations:
                    - {name: india, countries: [IN], to: mars, percent: 125}
                routs: []
                tests:
                  - {ip: 1.2.4.8, expect: beijing, expect_reasn: country}
                  - {ip: 1.2.4.999, expect: us}
                """);

        CommandRun run = CommandRun.of("validate", bad.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.errLines()).as(run.toString()).containsExactly(
                bad + ":1:10: version: 2 (expected: 1)",
                bad + ":7:17: regions.us.endpoints[0]: \"ftp://127.0.0.1:9103\" has scheme \"ftp\" (expected: http://host:port or https://host:port)",
                bad + ":8:20: regions.us.fail_over_to: unknown region \"bejing\" (did you mean \"beijing\"?)",
                bad + ":10:19: residency.default_region: unknown region \"usa\" (did you mean \"us\"?)",
                bad + ":13:5: residency.countries: \"UK\" is not an ISO 3166-1 alpha-2 country code (did you mean \"GB\"?)",
                bad + ":15:42: residency.migrations[0].to: unknown region \"mars\"",
                bad + ":15:57: residency.migrations[0].percent: 125 (expected: 0..100)",
                bad + ":16:1: unknown key \"routs\" in rules (did you mean \"routes\"?)",
                bad + ":18:36: unknown key \"expect_reasn\" in tests[0] (did you mean \"expect_reason\"?)",
                bad + ":19:10: tests[1].ip: \"1.2.4.999\" is not an IPv4 or IPv6 address");
        assertThat(run.out()).contains(bad + ": invalid (10 problems)");
    }

    @Test
    void checksEveryFileEvenAfterAnInvalidOne() throws IOException {
        Path bad = write("bad.yaml", "version: 1\nregions: {}\n");

        CommandRun run = CommandRun.of("validate", bad.toString(), DEMO.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains(bad + ":");
        assertThat(run.out()).contains(bad + ": invalid (").contains(DEMO + ": ok");
    }

    @Test
    void aFailingRuleTestFailsValidation() throws IOException {
        Path rules = write("failing.yaml", """
                version: 1
                regions:
                  beijing: {endpoints: ["http://127.0.0.1:9101"], fail_over_to: []}
                  us: {endpoints: ["http://127.0.0.1:9103"], fail_over_to: []}
                residency:
                  default_region: us
                  countries: {CN: beijing}
                tests:
                  - {ip: 1.2.4.8, expect: beijing}
                  - {ip: 1.2.4.8, expect: us}
                  - {ip: 8.8.8.8, expect: us, expect_reason: country}
                """);

        CommandRun run = CommandRun.of("validate", "--geoip", GeoIpFixtures.GEOLITE2_COUNTRY.toString(), rules.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.errLines()).as(run.toString()).containsExactly(
                rules + ":10:5: test failed: {ip: 1.2.4.8} expected us, got beijing by country (country CN)",
                rules + ":11:5: test failed: {ip: 8.8.8.8} expected us by country, got us by default (country US)");
        assertThat(run.out()).contains(rules + ": FAILED (2 regions, 1 countries, 0 migrations, 0 pinned users, 1/3 tests passed)");
    }

    @Test
    void aMissingRulesFileIsReported() {
        Path missing = dir.resolve("missing.yaml");

        CommandRun run = CommandRun.of("validate", missing.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly(missing + ":1:1: no such file");
    }

    @Test
    void noArgumentsIsAUsageError() {
        assertThat(CommandRun.of().exitCode()).isEqualTo(2);
        CommandRun noFiles = CommandRun.of("validate");
        assertThat(noFiles.exitCode()).isEqualTo(2);
        assertThat(noFiles.err()).contains("RULES.yaml");
        assertThat(CommandRun.of("validate", "--no-such-option", DEMO.toString()).exitCode()).isEqualTo(2);
        assertThat(CommandRun.of("no-such-command").exitCode()).isEqualTo(2);
    }

    @Test
    void helpExitsZero() {
        CommandRun run = CommandRun.of("validate", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: homeport validate").contains("Exit codes: 0 valid and tests pass");
    }

    @Test
    void aBadGeoIpDatabaseIsRefusedWithAClearMessage() {
        Path notAnMmdb = GeoIpFixtures.NOT_AN_MMDB;

        CommandRun run = CommandRun.of("validate", "--geoip", notAnMmdb.toString(), DEMO.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).startsWith("homeport validate: GeoIP database refused: " + notAnMmdb
                + ": not a valid MaxMind DB (MMDB) file");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aMissingGeoIpDatabaseIsRefusedWithAClearMessage() {
        Path missing = dir.resolve("GeoLite2-Country.mmdb");

        CommandRun run = CommandRun.of("validate", "--geoip", missing.toString(), DEMO.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("homeport validate: GeoIP database refused: " + missing + ": no such file");
    }

    @Test
    void previousRefusesWhatWouldMoveMigratedUsersBack() throws Exception {
        String production = java.nio.file.Files.readString(PRODUCTION);
        // production.yaml moves India by a migration; the same file with its percent lowered.
        java.util.regex.Matcher percent = java.util.regex.Pattern.compile("(countries: \\[IN\\][^}]*percent: )(\\d+)").matcher(production);
        assertThat(percent.find()).as("production.yaml migrates IN").isTrue();
        java.nio.file.Files.copy(PRODUCTION.resolveSibling("production-users.csv"), dir.resolve("production-users.csv"));
        Path lowered = java.nio.file.Files.writeString(dir.resolve("lowered.yaml"),
                production.substring(0, percent.start(2)) + "0" + production.substring(percent.end(2)));
        {
            CommandRun refused = CommandRun.of("validate", "--previous", PRODUCTION.toString(), lowered.toString());
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).contains(lowered + ":").contains("would move the users in buckets 0..").contains("rolled_back");
            assertThat(refused.out()).contains("FAILED", "1 change would move migrated users back from " + PRODUCTION);

            CommandRun same = CommandRun.of("validate", "--previous", PRODUCTION.toString(), PRODUCTION.toString());
            assertThat(same.exitCode()).as(same.toString()).isZero();
            assertThat(same.out()).contains("moves no migrated user back from " + PRODUCTION);
        }
    }
}
