package io.homeport.reload;

import static io.homeport.reload.ReloadFixtures.CITY_DB;
import static io.homeport.reload.ReloadFixtures.COUNTRY_DB;
import static io.homeport.reload.ReloadFixtures.NOT_AN_MMDB;
import static io.homeport.reload.ReloadFixtures.RULES;
import static io.homeport.reload.ReloadFixtures.RULES_FAILING_TEST;
import static io.homeport.reload.ReloadFixtures.RULES_SYNTAX_ERROR;
import static io.homeport.reload.ReloadFixtures.RULES_UNKNOWN_REGION;
import static io.homeport.reload.ReloadFixtures.RULES_WITH_MALAYSIA;
import static io.homeport.reload.ReloadFixtures.TRUNCATED_DB;
import static io.homeport.reload.ReloadFixtures.copyDatabase;
import static io.homeport.reload.ReloadFixtures.writeRules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.metrics.GatewayMetrics;
import io.homeport.routing.IpAddresses;
import io.homeport.routing.RoutingRequest;
import io.homeport.rules.InvalidRulesException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReloaderTest {

    @TempDir
    Path dir;

    Path rules;
    Path db;
    SnapshotHolder holder;
    GatewayMetrics metrics;
    ConfigReloader reloader;

    @BeforeEach
    void setUp() throws Exception {
        rules = writeRules(dir.resolve("rules.yaml"), RULES);
        db = copyDatabase(COUNTRY_DB, dir.resolve("geoip.mmdb"));
        holder = new SnapshotHolder(ConfigReloader.load(rules, db, 1000));
        metrics = new GatewayMetrics();
        reloader = new ConfigReloader(rules, db, 1000, holder, metrics);
    }

    @AfterEach
    void tearDown() {
        reloader.close();
    }

    @Test
    void loadBuildsAServingConfigFromBothFiles() {
        ServingConfig config = holder.current();
        assertThat(config.snapshot().rules().source().file()).isEqualTo(rules);
        assertThat(config.database().databaseType()).isEqualTo("GeoLite2-Country");
        assertThat(config.snapshot().geo()).isSameAs(config.geo());
        assertThat(config.snapshot().decide(request("1.2.4.8")).region()).isEqualTo("beijing");
    }

    @Test
    void loadRefusesRulesWhoseTestsFail() {
        writeRules(rules, RULES_FAILING_TEST);
        assertThatThrownBy(() -> ConfigReloader.load(rules, db, 1000))
                .isInstanceOf(InvalidRulesException.class)
                .hasMessageStartingWith(rules + ":15:");
    }

    @Test
    void loadRefusesADamagedDatabase() {
        copyDatabase(TRUNCATED_DB, db);
        assertThatThrownBy(() -> ConfigReloader.load(rules, db, 1000))
                .isInstanceOf(InvalidGeoIpDatabaseException.class)
                .hasMessageStartingWith(db.toString());
    }

    @Test
    void nothingChangedKeepsTheSameConfig() {
        ServingConfig before = holder.current();

        ReloadResult result = reloader.reload("test");

        assertThat(result.success()).isTrue();
        assertThat(result.changed()).isFalse();
        assertThat(result.changes()).isEmpty();
        assertThat(holder.current()).isSameAs(before);
        assertThat(metrics.scrape()).doesNotContain("homeport_config_reloads_total{");
    }

    @Test
    void changedRulesAreSwappedInAndTheDatabaseAndItsCacheAreKept() {
        ServingConfig before = holder.current();
        String oldSha = before.snapshot().rules().source().sha256();
        writeRules(rules, RULES_WITH_MALAYSIA);

        ReloadResult result = reloader.reload("test");

        assertThat(result.success()).isTrue();
        assertThat(result.errors()).isEmpty();
        ServingConfig after = holder.current();
        String newSha = after.snapshot().rules().source().sha256();
        assertThat(result.changes()).containsExactly("rules: regions 3, countries 3 (MY (default) -> singapore), migrations 0,"
                + " pins 0; sha256 " + oldSha.substring(0, 12) + " -> " + newSha.substring(0, 12) + " (" + rules + ")");
        assertThat(after).isNotSameAs(before);
        assertThat(after.snapshot()).isNotSameAs(before.snapshot());
        assertThat(after.database()).isSameAs(before.database());
        assertThat(after.geo()).isSameAs(before.geo());
        assertThat(after.snapshot().decide(request("202.188.0.133")).region()).isEqualTo("singapore");
        assertThat(metrics.scrape())
                .contains("homeport_config_reloads_total{kind=\"rules\",result=\"success\"} 1.0")
                .doesNotContain("kind=\"geoip\"");
    }

    @Test
    void aLoweredMigrationPercentIsRefusedEvenForcedAndRollingBackOnPurposeIsApplied() {
        String migrating = RULES.replace("countries: {CN: beijing, SG: singapore}",
                "countries: {CN: beijing, SG: singapore}\n  migrations:\n    - {name: india, countries: [IN], to: singapore, percent: %s%s}");
        writeRules(rules, migrating.formatted("50", ""));
        assertThat(reloader.reload("test").success()).isTrue();
        ServingConfig serving = holder.current();

        // An SRE's typo or a bad revert: users already served from singapore would go back to us.
        writeRules(rules, migrating.formatted("5", ""));
        ReloadResult lowered = reloader.reload("test", true);

        assertThat(lowered.success()).isFalse();
        assertThat(lowered.errors()).singleElement().asString()
                .startsWith(rules + ":15:62: migration \"india\": percent 50 -> 5 would move the users in buckets 500..4999 back")
                .contains("set state: rolled_back");
        assertThat(holder.current()).isSameAs(serving);
        assertThat(metrics.scrape()).contains("homeport_config_reloads_total{kind=\"rules\",result=\"failure\"} 1.0");

        writeRules(rules, migrating.formatted("0", ", state: rolled_back"));
        ReloadResult rolledBack = reloader.reload("test");
        assertThat(rolledBack.success()).as(rolledBack.errors().toString()).isTrue();
        assertThat(rolledBack.changes().get(0)).contains("migrations 1 (india 50% -> 0% cut_over -> rolled_back)");
    }

    @Test
    void aChangedDatabaseGetsANewCacheAndKeepsTheRules() {
        ServingConfig before = holder.current();
        copyDatabase(CITY_DB, db);

        ReloadResult result = reloader.reload("test");

        assertThat(result.success()).isTrue();
        assertThat(result.changes()).singleElement().asString()
                .startsWith("geoip: GeoLite2-Country built ")
                .contains(" -> GeoIP2-City built ")
                .endsWith("(" + db + ")");
        ServingConfig after = holder.current();
        assertThat(after.database()).isNotSameAs(before.database());
        assertThat(after.database().databaseType()).isEqualTo("GeoIP2-City");
        assertThat(after.geo()).isNotSameAs(before.geo());
        assertThat(after.snapshot().geo()).isSameAs(after.geo());
        assertThat(after.snapshot().rules()).isSameAs(before.snapshot().rules());
        assertThat(after.snapshot().decide(request("1.2.4.8")).country()).isEqualTo("CN");
        assertThat(metrics.scrape()).contains("homeport_config_reloads_total{kind=\"geoip\",result=\"success\"} 1.0");
    }

    @Test
    void theSameDatabaseRewrittenIsNotReloaded() {
        ServingConfig before = holder.current();
        copyDatabase(COUNTRY_DB, db); // new modification time, same bytes

        ReloadResult result = reloader.reload("test");

        assertThat(result.changes()).isEmpty();
        assertThat(holder.current()).isSameAs(before);
    }

    @Test
    void theNewCacheIsBoundToMetrics() {
        copyDatabase(CITY_DB, db);
        reloader.reload("test");
        holder.current().snapshot().decide(request("1.2.4.8"));
        holder.current().snapshot().decide(request("1.2.4.8"));

        // The rules file's test looked 1.2.4.8 up first (the miss); both decisions hit.
        assertThat(metrics.scrape())
                .contains("homeport_cache_gets_total{cache=\"geoip\",result=\"miss\"} 1.0")
                .contains("homeport_cache_gets_total{cache=\"geoip\",result=\"hit\"} 2.0");
    }

    @Test
    void aSyntaxErrorIsRefusedWithItsLocationAndTheOldConfigKeepsServing() {
        ServingConfig before = holder.current();
        writeRules(rules, RULES_SYNTAX_ERROR);

        ReloadResult result = reloader.reload("test");

        assertThat(result.success()).isFalse();
        assertThat(result.changes()).isEmpty();
        assertThat(result.errors()).isNotEmpty().allSatisfy(error -> assertThat(error).matches(located(rules)));
        assertThat(holder.current()).isSameAs(before);
        assertThat(metrics.scrape()).contains("homeport_config_reloads_total{kind=\"rules\",result=\"failure\"} 1.0");
    }

    @Test
    void anUnknownRegionIsRefusedWithItsLocation() {
        ServingConfig before = holder.current();
        writeRules(rules, RULES_UNKNOWN_REGION);

        ReloadResult result = reloader.reload("test");

        assertThat(result.success()).isFalse();
        assertThat(result.errors()).singleElement().asString()
                .startsWith(rules + ":13:")
                .contains("beijng")
                .contains("beijing");
        assertThat(holder.current()).isSameAs(before);
    }

    @Test
    void rulesWhoseTestsFailAreRefused() {
        ServingConfig before = holder.current();
        writeRules(rules, RULES_FAILING_TEST);

        ReloadResult result = reloader.reload("test");

        assertThat(result.success()).isFalse();
        assertThat(result.errors()).singleElement().asString()
                .startsWith(rules + ":15:")
                .contains("test failed")
                .contains("expected us");
        assertThat(holder.current()).isSameAs(before);
        assertThat(metrics.scrape()).contains("homeport_config_reloads_total{kind=\"rules\",result=\"failure\"} 1.0");
    }

    @Test
    void aTruncatedDatabaseIsRefusedAndTheOldOneKeepsServing() {
        ServingConfig before = holder.current();
        copyDatabase(TRUNCATED_DB, db);

        ReloadResult result = reloader.reload("test");

        assertThat(result.success()).isFalse();
        assertThat(result.errors()).singleElement().asString().startsWith(db + ": ");
        assertThat(holder.current()).isSameAs(before);
        assertThat(before.snapshot().decide(request("1.2.4.8")).country()).isEqualTo("CN");
        assertThat(metrics.scrape()).contains("homeport_config_reloads_total{kind=\"geoip\",result=\"failure\"} 1.0");
    }

    @Test
    void aFileThatIsNoDatabaseIsRefused() {
        ServingConfig before = holder.current();
        copyDatabase(NOT_AN_MMDB, db);

        ReloadResult result = reloader.reload("test");

        assertThat(result.success()).isFalse();
        assertThat(result.errors()).singleElement().asString().startsWith(db + ": ");
        assertThat(holder.current()).isSameAs(before);
    }

    @Test
    void aRefusedReloadIsRetriedUntilFixed() {
        copyDatabase(TRUNCATED_DB, db);
        assertThat(reloader.reload("test").success()).isFalse();
        assertThat(reloader.reload("test").success()).as("still broken").isFalse();

        copyDatabase(CITY_DB, db);
        ReloadResult fixed = reloader.reload("test");

        assertThat(fixed.success()).isTrue();
        assertThat(fixed.changes()).singleElement().asString().startsWith("geoip: GeoLite2-Country");
        assertThat(holder.current().database().databaseType()).isEqualTo("GeoIP2-City");
    }

    @Test
    void aRefusedDatabasePutBackAsItWasIsCountedAndReportedAsServingAgain() {
        ServingConfig before = holder.current();
        copyDatabase(TRUNCATED_DB, db);
        assertThat(reloader.reload("test").success()).isFalse();
        assertThat(metrics.scrape()).contains("homeport_config_last_reload_successful 0.0");

        copyDatabase(COUNTRY_DB, db); // the serving file again: nothing to swap, but the refusal is over
        ReloadResult restored = reloader.reload("test");

        assertThat(restored.success()).isTrue();
        assertThat(restored.changes()).containsExactly("geoip: " + db + " is the serving database again");
        assertThat(holder.current()).isSameAs(before);
        assertThat(metrics.scrape()).contains("homeport_config_last_reload_successful 1.0")
                .contains("homeport_config_reloads_total{kind=\"geoip\",result=\"success\"} 1.0");
        assertThat(reloader.reload("test").changes()).as("said once").isEmpty();
    }

    @Test
    void aRefusedRulesFilePutBackAsItWasIsReportedAsServingAgain() {
        writeRules(rules, RULES_SYNTAX_ERROR);
        assertThat(reloader.reload("test").success()).isFalse();

        writeRules(rules, RULES);
        ReloadResult restored = reloader.reload("test");

        assertThat(restored.success()).isTrue();
        assertThat(restored.changes()).containsExactly("rules: " + rules + " is the serving rules file again");
        assertThat(metrics.scrape()).contains("homeport_config_last_reload_successful 1.0");
    }

    @Test
    void aBadRulesFileAlsoHoldsBackAGoodDatabase() {
        ServingConfig before = holder.current();
        writeRules(rules, RULES_SYNTAX_ERROR);
        copyDatabase(CITY_DB, db);

        ReloadResult result = reloader.reload("test");

        assertThat(result.success()).isFalse();
        assertThat(holder.current()).isSameAs(before);
        assertThat(metrics.scrape())
                .contains("homeport_config_reloads_total{kind=\"rules\",result=\"failure\"} 1.0")
                .doesNotContain("kind=\"geoip\"");
    }

    @Test
    void reloadAsyncRunsOnTheReloadThread() throws Exception {
        writeRules(rules, RULES_WITH_MALAYSIA);

        ReloadResult result = reloader.reloadAsync("admin").get(10, TimeUnit.SECONDS);

        assertThat(result.changed()).isTrue();
    }

    @Test
    void reloadAsyncFailsOnceClosed() {
        reloader.close();

        assertThat(reloader.reloadAsync("admin")).failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void resultJsonListsChangesAndErrors() {
        writeRules(rules, RULES_UNKNOWN_REGION);

        String json = reloader.reload("test").toJson();

        assertThat(json).contains("\"success\" : false")
                .contains("\"error\" : \"reload refused (1 problem); the previous configuration keeps serving\"")
                .contains("\"request_id\" : null")
                .contains(rules + ":13:");
    }

    private static String located(Path file) {
        return Pattern.quote(file.toString()) + ":\\d+:\\d+: .+";
    }

    private static RoutingRequest request(String ip) {
        return new RoutingRequest(IpAddresses.parseLiteral(ip).orElseThrow(), null, null, null);
    }
}
