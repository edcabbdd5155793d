package io.homeport.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.residency.MigrationBucket;
import io.homeport.rules.Problem;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.TestFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleTestRunnerTest {

    static final String RULES = """
            version: 1
            regions:
              beijing:   {endpoints: ["http://10.1.0.10:8080"], fail_over_to: []}
              singapore: {endpoints: ["http://10.2.0.10:8080"], fail_over_to: [us]}
              us:        {endpoints: ["http://10.3.0.10:8080"], fail_over_to: [singapore]}
            residency:
              default_region: us
              countries: {CN: beijing, SG: singapore, IN: us}
              migrations:
                - {name: india-phase-1, countries: [IN], to: singapore, percent: 25}
              users: {file: users.csv}
            routes:
              - {name: api, host: api.example.com, path_prefix: /api/}
            tests:
            """;

    /** An Indian user inside the 25% share, found with the same function the gateway uses. */
    static final String MOVED_USER = IntStream.range(0, 10_000).mapToObj(i -> "user-" + i)
            .filter(id -> MigrationBucket.of(id) < 2_500).findFirst().orElseThrow();

    @TempDir
    Path dir;

    FakeGeo geo;

    @BeforeEach
    void setUp() {
        TestFiles.write(dir, "users.csv", "pinned-sg,singapore\n");
        geo = FakeGeo.of(Map.of("1.2.4.8", "CN", "8.8.8.8", "US", "49.36.0.1", "IN"));
    }

    private List<Problem> run(String... tests) {
        RoutingRules rules = TestFiles.loadValid(dir, "rules.yaml", RULES + String.join("\n", tests) + "\n");
        return RuleTestRunner.run(new RoutingSnapshot(rules, geo));
    }

    @Test
    void passingTestsReportNothing() {
        List<Problem> failures = run(
                "  - {ip: 1.2.4.8, expect: beijing, expect_reason: country}",     // looked up in the database
                "  - {country: SG, expect: singapore}",                           // assumed country, no lookup
                "  - {ip: 10.0.0.1, expect: us, expect_reason: default}",         // private: never looked up
                "  - {user: pinned-sg, expect: singapore, expect_reason: pin}",   // no address at all
                "  - {country: IN, user: " + MOVED_USER + ", expect: singapore, expect_reason: migration}",
                "  - {ip: 8.8.8.8, host: api.example.com, path: /api/x, expect: us, expect_reason: default}");

        assertThat(failures).isEmpty();
        // Only the two tests with a public ip consulted the database.
        assertThat(geo.calls).extracting(a -> a.getHostAddress()).containsExactly("1.2.4.8", "8.8.8.8");
    }

    @Test
    void aWrongRegionIsReportedAtTheTestEntry() {
        List<Problem> failures = run(
                "  - {ip: 1.2.4.8, expect: beijing}",
                "  - {country: CN, user: nobody, expect: singapore}");

        // RULES has 14 lines; the failing entry is the second test, on line 16, its "{" in column 5.
        assertThat(failures).extracting(Problem::toString).containsExactly(dir.resolve("rules.yaml")
                + ":16:5: test failed: {country: CN, user: nobody} expected singapore, got beijing by country (country CN)");
    }

    @Test
    void aWrongReasonFailsEvenWhenTheRegionIsRight() {
        List<Problem> failures = run("  - {ip: 8.8.8.8, expect: us, expect_reason: country}");

        assertThat(failures).singleElement().satisfies(problem -> {
            assertThat(problem.file()).isEqualTo(dir.resolve("rules.yaml").toString());
            assertThat(problem.line()).isEqualTo(15);
            assertThat(problem.column()).isEqualTo(5);
            assertThat(problem.message())
                    .contains("{ip: 8.8.8.8}")
                    .contains("expected us by country")
                    .contains("got us by default (country US)");
        });
    }

    @Test
    void everyFailureIsReportedInFileOrder() {
        List<Problem> failures = run(
                "  - {country: SG, expect: beijing}",
                "  - {ip: 1.2.4.8, expect: beijing}",
                "  - {ip: 49.36.0.1, user: " + MOVED_USER + ", expect: us}",
                "  - {ip: 10.0.0.1, expect: beijing}");

        assertThat(failures).extracting(Problem::line).containsExactly(15, 17, 18);
        assertThat(failures.get(1).message()).contains("got singapore by migration (country IN)");
        assertThat(failures.get(2).message()).contains("{ip: 10.0.0.1}").contains("got us by default (no country known)");
    }

    @Test
    void noTestsNoFailures() {
        assertThat(run()).isEmpty();
    }
}
