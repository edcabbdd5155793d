package io.homeport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.metrics.GatewayMetrics;
import io.homeport.routing.Decision;
import io.homeport.routing.Reason;
import io.homeport.rules.Endpoint;
import io.homeport.rules.Region;
import io.homeport.rules.Residency;
import io.homeport.rules.Route;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResidencyCheckTest {

    private static final RoutingRules RULES = rules();

    private static RoutingRules rules() {
        Map<String, Region> regions = new LinkedHashMap<>();
        regions.put("beijing", new Region("beijing", List.of(new Endpoint("http", "127.0.0.1", 9101)), List.of()));
        regions.put("singapore", new Region("singapore", List.of(new Endpoint("http", "127.0.0.1", 9102)), List.of("us")));
        regions.put("us", new Region("us", List.of(new Endpoint("http", "127.0.0.1", 9103)), List.of("singapore")));
        return new RoutingRules(1, regions, new Residency("us", Map.of(), List.of(), Optional.empty()), List.of(), List.of(),
                new RulesSource(Path.of("rules.yaml"), "0".repeat(64), Instant.EPOCH));
    }

    private static Decision home(String region) {
        return new Decision(Route.DEFAULT, region, region == null ? Reason.LOOKUP_ERROR : Reason.COUNTRY, null, null);
    }

    @Test
    void theHomeRegionAndItsFailOverRegionsKeepResidency() {
        assertThat(ResidencyCheck.allowed(RULES, home("beijing"), "beijing")).isTrue();
        assertThat(ResidencyCheck.allowed(RULES, home("singapore"), "us")).isTrue();
        assertThat(ResidencyCheck.allowed(RULES, home("us"), "singapore")).isTrue();
        assertThat(ResidencyCheck.allowed(RULES, home("beijing"), null)).as("served by no region").isTrue();
    }

    @Test
    void anyOtherRegionIsAViolation() {
        assertThat(ResidencyCheck.allowed(RULES, home("beijing"), "us")).isFalse();
        assertThat(ResidencyCheck.allowed(RULES, home("beijing"), "singapore")).isFalse();
        assertThat(ResidencyCheck.allowed(RULES, home("singapore"), "beijing")).isFalse();
        assertThat(ResidencyCheck.allowed(RULES, home(null), "us")).as("refused, yet served").isFalse();
        assertThat(ResidencyCheck.allowed(RULES, home("mars"), "us")).as("a home region the rules do not know").isFalse();
    }

    @Test
    void aViolationIsCountedByHomeRegion() {
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.residencyViolation("beijing");
        assertThat(metrics.residencyViolations()).isEqualTo(1);
        assertThat(metrics.scrape()).contains("homeport_residency_violations_total{region=\"beijing\"} 1.0");
    }
}
