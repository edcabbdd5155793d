package io.homeport.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.rules.Endpoint;
import io.homeport.rules.Region;
import io.homeport.rules.Residency;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RegionSelectorTest {

    private static final Endpoint BJ = new Endpoint("http", "10.1.0.1", 80);
    private static final Endpoint SG1 = new Endpoint("http", "10.2.0.1", 80);
    private static final Endpoint SG2 = new Endpoint("http", "10.2.0.2", 80);
    private static final Endpoint US = new Endpoint("http", "10.3.0.1", 80);

    private final HealthSettings settings = new HealthSettings(Optional.empty(), Duration.ofSeconds(1), Duration.ofSeconds(1),
            2, 2, 3, Duration.ofMinutes(1));
    private final UpstreamHealth health = new UpstreamHealth(settings);
    private final RegionSelector selector = new RegionSelector(health);
    private final RoutingRules rules = rules();

    @Test
    void prefersTheHomeRegion() {
        assertThat(selector.select(rules, "us", List.of())).isEqualTo(new RegionSelector.Selection("us", US, false));
    }

    @Test
    void failsOverOnlyToAllowedRegionsInOrder() {
        markDown(US);
        assertThat(selector.select(rules, "us", List.of()).region()).isEqualTo("singapore");
        markDown(SG1);
        markDown(SG2);
        assertThat(selector.select(rules, "us", List.of())).as("us may fail over to singapore only").isNull();
    }

    @Test
    void neverMovesARegionWithoutFailOverEvenWhenOthersAreHealthy() {
        markDown(BJ);
        assertThat(selector.select(rules, "beijing", List.of())).isNull();
    }

    @Test
    void avoidsEndpointsTheRequestAlreadyTried() {
        assertThat(selector.select(rules, "singapore", List.of(SG1)).endpoint()).isEqualTo(SG2);
        assertThat(selector.select(rules, "singapore", List.of(SG1, SG2)).region()).isEqualTo("us");
    }

    @Test
    void prefersTheLeastLoadedEndpoint() {
        health.requestStarted(SG1);
        health.requestStarted(SG1);
        for (int i = 0; i < 10; i++) {
            assertThat(selector.select(rules, "singapore", List.of()).endpoint()).isEqualTo(SG2);
        }
    }

    @Test
    void spreadsEvenLoadAcrossEndpoints() {
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            counts.merge(selector.select(rules, "singapore", List.of()).endpoint(), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys(SG1, SG2);
        assertThat(counts.get(SG1)).isBetween(40, 60);
    }

    @Test
    void passiveEjectionAfterConsecutiveFailuresOnly() {
        health.recordFailure(US);
        health.recordFailure(US);
        health.recordSuccess(US); // the streak is broken
        health.recordFailure(US);
        health.recordFailure(US);
        assertThat(selector.select(rules, "us", List.of()).region()).isEqualTo("us");
        health.recordFailure(US);
        assertThat(selector.select(rules, "us", List.of()).region()).as("ejected after 3 in a row").isEqualTo("singapore");
    }

    @Test
    void activeChecksFlipOnlyAfterTheirThreshold() {
        EndpointHealth state = health.of(US);
        assertThat(state.recordCheck(false, settings)).isFalse();
        assertThat(state.isAvailable(System.nanoTime())).isTrue();
        assertThat(state.recordCheck(false, settings)).isTrue();
        assertThat(state.isAvailable(System.nanoTime())).isFalse();
        assertThat(state.recordCheck(true, settings)).isFalse();
        assertThat(state.recordCheck(true, settings)).isTrue();
        assertThat(state.isAvailable(System.nanoTime())).isTrue();
    }

    private void markDown(Endpoint endpoint) {
        EndpointHealth state = health.of(endpoint);
        state.recordCheck(false, settings);
        state.recordCheck(false, settings);
    }

    private static RoutingRules rules() {
        Map<String, Region> regions = new LinkedHashMap<>();
        regions.put("beijing", new Region("beijing", List.of(BJ), List.of()));
        regions.put("singapore", new Region("singapore", List.of(SG1, SG2), List.of("us")));
        regions.put("us", new Region("us", List.of(US), List.of("singapore")));
        return new RoutingRules(1, regions, new Residency("us", Map.of(), List.of(), Optional.empty()), List.of(), List.of(),
                new RulesSource(Path.of("rules.yaml"), "0", Instant.EPOCH));
    }
}
