package io.homeport.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reload log's account of a rules change: counts, and the first changes by name. */
class RulesChangeTest {

    static final String BASE = """
            version: 1
            regions:
              beijing: {endpoints: ["http://127.0.0.1:9"]}
              singapore: {endpoints: ["http://127.0.0.1:10"]}
              us: {endpoints: ["http://127.0.0.1:11"]}
            residency:
              default_region: us
              countries: {CN: beijing, SG: singapore, IN: us}
              migrations:
                - {name: india, countries: [IN], to: singapore, percent: 25}
                - {name: brazil, countries: [BR], to: us, percent: 100}
              users: {file: users.csv, identity: {header: X-User-Id}}
            """;

    @TempDir
    Path dir;

    private RoutingRules load(String yaml, String users) throws Exception {
        Files.writeString(dir.resolve("users.csv"), users);
        Path file = Files.writeString(dir.resolve("rules.yaml"), yaml);
        return new RulesLoader().load(file);
    }

    @Test
    void aChangeIsCountedAndNamed() throws Exception {
        RoutingRules before = load(BASE, "user_id,region\nu1,beijing\n");
        RoutingRules after = load(BASE
                .replace("  us: {endpoints: [\"http://127.0.0.1:11\"]}\n", "  us: {endpoints: [\"http://127.0.0.1:11\"]}\n  eu: {endpoints: [\"http://127.0.0.1:12\"]}\n")
                .replace("IN: us}", "MY: singapore}")
                .replace("percent: 25}", "percent: 30}")
                .replace("    - {name: brazil, countries: [BR], to: us, percent: 100}\n", "")
                .replace("default_region: us", "default_region: eu"),
                "user_id,region\nu1,beijing\nu2,singapore\nu3,us\n");

        assertThat(RulesChange.describe(before, after)).isEqualTo("regions 4 (+eu), countries 3 (IN us -> (default),"
                + " MY (default) -> singapore), default region us -> eu, migrations 1 (india 25% -> 30%, -brazil), pins 1 -> 3");
    }

    @Test
    void nothingChangedIsJustTheCounts() throws Exception {
        RoutingRules rules = load(BASE, "user_id,region\nu1,beijing\n");
        assertThat(RulesChange.describe(rules, rules)).isEqualTo("regions 3, countries 3, migrations 2, pins 1");
    }

    @Test
    void longListsStopAfterTheFirstFew() throws Exception {
        RoutingRules before = load(BASE, "user_id,region\n");
        RoutingRules after = load(BASE.replace("IN: us}", "IN: us, AU: us, NZ: us, JP: us, KR: us, TH: singapore, VN: singapore}"),
                "user_id,region\n");
        assertThat(RulesChange.describe(before, after))
                .contains("countries 9 (AU (default) -> us, JP (default) -> us, KR (default) -> us, NZ (default) -> us,"
                        + " TH (default) -> singapore, and 1 more)");
    }
}
