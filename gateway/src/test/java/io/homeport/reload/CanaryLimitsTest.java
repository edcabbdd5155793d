package io.homeport.reload;

import static io.homeport.reload.ReloadFixtures.COUNTRY_DB;
import static io.homeport.reload.ReloadFixtures.RULES;
import static io.homeport.reload.ReloadFixtures.copyDatabase;
import static io.homeport.reload.ReloadFixtures.writeRules;
import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.canary.SampledTraffic;
import io.homeport.metrics.GatewayMetrics;
import io.homeport.routing.IpAddresses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The canary's limits for rules files: reported by default, refused past reload.max_rules_region_change, forced. */
class CanaryLimitsTest {

    @TempDir
    Path dir;

    /** 90 requests from Singapore, 10 from China. */
    private static final List<SampledTraffic> SAMPLE = List.of(
            new SampledTraffic(IpAddresses.parseLiteral("165.21.83.0").orElseThrow(), 24, 0, 17, 90),
            new SampledTraffic(IpAddresses.parseLiteral("1.2.4.0").orElseThrow(), 24, 0, 42, 10));

    private ConfigReloader reloader(ReloadSettings settings, GatewayMetrics metrics, Path rules, Path db) throws Exception {
        SnapshotHolder holder = new SnapshotHolder(ConfigReloader.load(rules, db, 1000));
        return new ConfigReloader(rules, db, 1000, holder, metrics, Duration.ofSeconds(60), settings, () -> SAMPLE);
    }

    @Test
    void aRulesChangeIsRefusedPastItsLimitAndAppliedWhenForced() throws Exception {
        Path rules = writeRules(dir.resolve("rules.yaml"), RULES);
        Path db = copyDatabase(COUNTRY_DB, dir.resolve("geoip.mmdb"));
        GatewayMetrics metrics = new GatewayMetrics();
        try (ConfigReloader reloader = reloader(new ReloadSettings(0.01, OptionalDouble.of(0.5)), metrics, rules, db)) {
            // Singapore to the default region: 90% of the sample moves, past the 50% limit.
            writeRules(rules, RULES.replace("SG: singapore}", "JP: singapore}"));
            ReloadResult refused = reloader.reload("test");
            assertThat(refused.success()).isFalse();
            assertThat(refused.errors()).singleElement().asString()
                    .startsWith(rules + ": the new rules change the home region of 90.00% of 100 sampled requests (singapore -> us 90)")
                    .contains("more than reload.max_rules_region_change (50.00%)");
            assertThat(metrics.scrape()).contains("homeport_config_reloads_total{kind=\"rules\",result=\"failure\"} 1.0");

            ReloadResult forced = reloader.reload("test", true);
            assertThat(forced.changed()).isTrue();
            assertThat(forced.forced()).isTrue();
            assertThat(forced.regionChange().movedRequests()).isEqualTo(90);
            assertThat(metrics.scrape()).contains("homeport_config_reloads_total{kind=\"rules\",result=\"failure\"} 1.0");
        }
    }

    @Test
    void withoutALimitARulesChangeIsReportedAndApplied() throws Exception {
        Path rules = writeRules(dir.resolve("rules.yaml"), RULES);
        Path db = copyDatabase(COUNTRY_DB, dir.resolve("geoip.mmdb"));
        try (ConfigReloader reloader = reloader(ReloadSettings.DEFAULTS, new GatewayMetrics(), rules, db)) {
            writeRules(rules, RULES.replace("SG: singapore}", "JP: singapore}"));
            ReloadResult applied = reloader.reload("test");
            assertThat(applied.changed()).isTrue();
            assertThat(applied.forced()).isFalse();
            assertThat(applied.regionChange().summary()).isEqualTo("90.00% of 100 sampled requests change home region (singapore -> us 90)");
            assertThat(applied.toJson()).contains("\"moved_share\" : 0.9");
        }
    }
}
