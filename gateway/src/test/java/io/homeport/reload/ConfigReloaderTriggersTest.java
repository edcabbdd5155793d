package io.homeport.reload;

import static io.homeport.reload.ReloadFixtures.COUNTRY_DB;
import static io.homeport.reload.ReloadFixtures.RULES;
import static io.homeport.reload.ReloadFixtures.RULES_WITH_MALAYSIA;
import static io.homeport.reload.ReloadFixtures.copyDatabase;
import static io.homeport.reload.ReloadFixtures.eventually;
import static io.homeport.reload.ReloadFixtures.writeRules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.homeport.metrics.GatewayMetrics;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reloader's own triggers: polling, file events, SIGHUP. Waits are bounded polls, never fixed sleeps. */
class ConfigReloaderTriggersTest {

    static final Duration PATIENCE = Duration.ofSeconds(10);
    static final Duration NEVER = Duration.ofHours(1);

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
    }

    @AfterEach
    void tearDown() {
        if (reloader != null) {
            reloader.close();
        }
    }

    private ConfigReloader reloader(Duration pollInterval) {
        reloader = new ConfigReloader(rules, db, 1000, holder, metrics, pollInterval);
        return reloader;
    }

    @Test
    void aChangedRulesFileIsReloadedByItself() throws Exception {
        reloader(Duration.ofMillis(100)).start();
        ServingConfig before = holder.current();

        writeRules(rules, RULES_WITH_MALAYSIA);

        assertThat(eventually(PATIENCE, () -> holder.current() != before)).as("reloaded within %s", PATIENCE).isTrue();
        assertThat(holder.current().snapshot().rules().residency().countries()).containsEntry("MY", "singapore");
        assertThat(eventually(PATIENCE, () -> metrics.scrape()
                .contains("homeport_config_reloads_total{kind=\"rules\",result=\"success\"} 1.0"))).isTrue();
    }

    @Test
    void fileEventsTriggerAReloadWithoutPolling() throws Exception {
        reloader(NEVER).start();
        assumeTrue(reloader.watchesFiles(), "this file system cannot be watched");
        ServingConfig before = holder.current();

        writeRules(rules, RULES_WITH_MALAYSIA);

        assertThat(eventually(PATIENCE, () -> holder.current() != before)).as("reloaded within %s", PATIENCE).isTrue();
    }

    @Test
    void aBurstOfWritesIsDebounced() throws Exception {
        reloader(NEVER).start();
        assumeTrue(reloader.watchesFiles(), "this file system cannot be watched");

        int writes = 5;
        for (int i = 1; i <= writes; i++) {
            writeRules(rules, RULES.replace("default_region: us", "default_region: us # edit " + i));
        }

        String last = "# edit " + writes;
        assertThat(eventually(PATIENCE, () -> currentRulesText().contains(last))).isTrue();
        assertThat(successfulRuleReloads()).isBetween(1, writes - 1);
    }

    @Test
    void pollingFindsAChangedStamp() {
        // Exercised without threads: the fallback for file systems that deliver no events.
        List<String> triggers = new ArrayList<>();
        ReloadTriggers polling = new ReloadTriggers(null, NEVER, () -> List.of(rules, db), triggers::add);
        polling.markSeen();

        polling.poll();
        assertThat(triggers).isEmpty();

        writeRules(rules, RULES_WITH_MALAYSIA);
        polling.poll();
        polling.poll();

        assertThat(triggers).containsExactly("poll");
    }

    @Test
    void sighupReloads() throws Exception {
        writeRules(rules, RULES_WITH_MALAYSIA); // before start: neither watch nor poll will see it
        reloader(NEVER).start();
        assumeTrue(reloader.reloadsOnSighup(), "SIGHUP is not available in this JVM");
        ServingConfig before = holder.current();

        raiseSighup();

        assertThat(eventually(PATIENCE, () -> holder.current() != before)).as("reloaded within %s", PATIENCE).isTrue();
    }

    @Test
    void startIsIdempotentAndCloseIsFinal() {
        reloader(NEVER);
        reloader.start();
        reloader.start();
        reloader.close();
        reloader.close();

        assertThatThrownBy(reloader::start).isInstanceOf(IllegalStateException.class);
    }

    private String currentRulesText() {
        try {
            String served = holder.current().snapshot().rules().source().sha256();
            String onDisk = Sha256.of(rules);
            return served.equals(onDisk) ? Files.readString(rules) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private int successfulRuleReloads() {
        Matcher matcher = Pattern.compile("homeport_config_reloads_total\\{kind=\"rules\",result=\"success\"} (\\d+)\\.0")
                .matcher(metrics.scrape());
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
    }

    /** {@code sun.misc.Signal.raise(new Signal("HUP"))}, only called once our handler is installed. */
    private static void raiseSighup() throws Exception {
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Constructor<?> constructor = signalClass.getConstructor(String.class);
        signalClass.getMethod("raise", signalClass).invoke(null, constructor.newInstance("HUP"));
    }
}
