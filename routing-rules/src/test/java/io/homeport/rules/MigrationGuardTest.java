package io.homeport.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a rules change may do to a migration that already moved users, on real files. */
class MigrationGuardTest {

    @TempDir
    Path dir;

    static String rules(String countries, String migrations) {
        return """
                version: 1
                regions:
                  beijing: {endpoints: ["http://127.0.0.1:9101"], fail_over_to: []}
                  singapore: {endpoints: ["http://127.0.0.1:9102"], fail_over_to: []}
                  us: {endpoints: ["http://127.0.0.1:9103"], fail_over_to: []}
                residency:
                  default_region: us
                  countries: {CN: beijing%s}
                  migrations:
                %s
                """.formatted(countries, migrations);
    }

    RoutingRules load(String name, String text) throws Exception {
        return new RulesLoader().load(Files.writeString(dir.resolve(name), text));
    }

    List<Problem> change(String before, String after) throws Exception {
        return MigrationGuard.check(load("old.yaml", before), load("new.yaml", after));
    }

    static final String INDIA_50 = rules("", "    - {name: india, countries: [IN, LK], to: singapore, percent: 50}");

    @Test
    void aLowerPercentIsRefusedAtItsPlaceAndSaysWhatToDoInstead() throws Exception {
        List<Problem> problems = change(INDIA_50, rules("", "    - {name: india, countries: [IN, LK], to: singapore, percent: 25}"));
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).toString()).isEqualTo(dir.resolve("new.yaml") + ":10:66: migration \"india\": percent 50 -> 25"
                + " would move the users in buckets 2500..4999 back from singapore (a cut_over migration's percent may only rise);"
                + " keep 50, or set state: rolled_back to move everyone back on purpose");
    }

    @Test
    void raisingLockingAndRollingBackOnPurposeAreAccepted() throws Exception {
        assertThat(change(INDIA_50, rules("", "    - {name: india, countries: [IN, LK], to: singapore, percent: 75}"))).isEmpty();
        assertThat(change(INDIA_50, rules("", "    - {name: india, countries: [IN, LK], to: singapore, percent: 50, state: locked}"))).isEmpty();
        assertThat(change(INDIA_50, rules("", "    - {name: india, countries: [IN, LK], to: singapore, percent: 0, state: rolled_back}"))).isEmpty();
        // Finishing the move: the countries mapped to the new region, the migration deleted.
        assertThat(change(INDIA_50, rules(", IN: singapore, LK: singapore", "    []"))).isEmpty();
    }

    @Test
    void aLockedMigrationsPercentMayOnlyRiseToo() throws Exception {
        String locked = rules("", "    - {name: india, countries: [IN], to: singapore, percent: 40, state: locked}");
        assertThat(change(locked, rules("", "    - {name: india, countries: [IN], to: singapore, percent: 30, state: locked}")))
                .singleElement().asString().contains("percent 40 -> 30", "(a locked migration's percent may only rise)");
    }

    @Test
    void deletingAMigrationBeforeItsCountriesAreMappedIsRefused() throws Exception {
        List<Problem> problems = change(INDIA_50, rules(", IN: singapore", "    []"));
        assertThat(problems).singleElement().asString().startsWith(dir.resolve("new.yaml") + ":9:3: LK is no longer in migration \"india\"")
                .contains("its moved users would go back to us", "Map LK: singapore to finish the move");
    }

    @Test
    void goingBackToCopyingOrPlannedIsRefusedButNotWhatNeverMovedAnyone() throws Exception {
        assertThat(change(INDIA_50, rules("", "    - {name: india, countries: [IN, LK], to: singapore, percent: 50, state: copying}")))
                .singleElement().asString().contains(":10:77: migration \"india\": state cut_over -> copying would serve its moved users")
                .contains("set state: rolled_back");
        String copying = rules("", "    - {name: india, countries: [IN], to: singapore, percent: 50, state: copying}");
        assertThat(change(copying, rules("", "    - {name: india, countries: [IN], to: singapore, percent: 10, state: planned}"))).isEmpty();
        assertThat(change(copying, rules("", "    []"))).isEmpty();
    }

    @Test
    void anotherDestinationOrACountryLeavingIsRefused() throws Exception {
        assertThat(change(INDIA_50, rules("", "    - {name: india, countries: [IN, LK], to: us, percent: 50}")))
                .singleElement().asString().contains("to singapore -> us would move its moved users");
        assertThat(change(INDIA_50, rules("", "    - {name: india, countries: [IN], to: singapore, percent: 50}")))
                .singleElement().asString().contains("LK left migration \"india\"");
    }

    @Test
    void theStateKeyIsReadAndAnUnknownOneRefused() throws Exception {
        RoutingRules rules = load("r.yaml", rules("", "    - {name: india, countries: [IN], to: singapore, percent: 50, state: copying}"));
        Migration india = rules.residency().migrations().get(0);
        assertThat(india.state()).isEqualTo(Migration.State.COPYING);
        assertThat(india.movedBasisPoints()).isZero();
        assertThat(load("d.yaml", INDIA_50).residency().migrations().get(0).state()).isEqualTo(Migration.State.CUT_OVER);
        assertThatThrownBy(() -> load("bad.yaml", rules("", "    - {name: india, countries: [IN], to: singapore, percent: 5, state: cutover}")))
                .isInstanceOfSatisfying(InvalidRulesException.class, e -> assertThat(e.problems()).singleElement().asString()
                        .endsWith(":10:72: residency.migrations[0].state: \"cutover\" (expected one of planned, copying, cut_over, locked,"
                                + " rolled_back)"));
    }

    @Test
    void aRenamedPhaseContinuesTheMigrationButMayNotLowerItsShare() throws Exception {
        assertThat(change(INDIA_50, rules("", "    - {name: india-phase-2, countries: [IN, LK], to: singapore, percent: 60}"))).isEmpty();
        assertThat(change(INDIA_50, rules("", "    - {name: india-phase-2, countries: [IN, LK], to: singapore, percent: 20}")))
                .hasSize(2).allSatisfy(problem -> assertThat(problem.toString())
                        .contains("continues \"india\"", "at a lower percent, 50 -> 20", "buckets 2000..4999"));
    }
}
