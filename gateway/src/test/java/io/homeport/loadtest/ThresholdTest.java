package io.homeport.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --threshold: parsing, units, and verdicts on a fixed report. */
class ThresholdTest {

    static GroupReport group(String name, long requests, long httpErrors, long matches, double p99) {
        return new GroupReport(name, requests, requests - httpErrors, httpErrors, 0, 0, requests, matches, Map.of(), Map.of(),
                Map.of(200, requests - httpErrors), new LatencySummary(p99 / 2, p99 * 0.8, p99, p99 * 1.5, p99 * 2, p99 / 2), List.of());
    }

    static final LoadReport REPORT = new LoadReport(new LoadReport.Run(Instant.EPOCH, "http://127.0.0.1:8080/", "open", 0, 10, 4,
            "IN=50,CN=50", false, "rules.yaml", "db", new LoadModel.FixedRate(100), MarketMix.parse("IN=50,CN=50"), false, 8),
            10, group("all", 1000, 10, 990, 300),
            List.of(group("IN", 500, 10, 490, 420), group("CN", 500, 0, 500, 180)),
            List.of(group("singapore", 500, 10, 490, 420), group("beijing", 500, 0, 500, 180), group("us", 10, 0, 10, 150)),
            List.of());

    @Test
    void parsesGroupsMetricsAndUnits() {
        assertThat(Threshold.parse("IN:p99<400ms")).isEqualTo(new Threshold("IN:p99<400ms", "IN", Threshold.Metric.P99, 400));
        assertThat(Threshold.parse("in:p99.9<1.5s").limit()).isEqualTo(1500);
        assertThat(Threshold.parse("in:p99.9<1.5s").group()).isEqualTo("in");
        assertThat(Threshold.parse("all:errors<1%").limit()).isEqualTo(0.01);
        assertThat(Threshold.parse("singapore:wrong_region<0.1%").metric()).isEqualTo(Threshold.Metric.WRONG_REGION);
        assertThatThrownBy(() -> Threshold.parse("IN:p99<400")).hasMessageContaining("needs ms or s");
        assertThatThrownBy(() -> Threshold.parse("all:errors<1ms")).hasMessageContaining("needs %");
        assertThatThrownBy(() -> Threshold.parse("IN:p42<1ms")).hasMessageContaining("unknown metric p42");
        assertThatThrownBy(() -> Threshold.parse("p99 < 400ms")).hasMessageContaining("expected GROUP:METRIC<LIMIT");
    }

    @Test
    void eachThresholdIsJudgedOnItsGroup() {
        List<Threshold.Verdict> verdicts = Threshold.evaluate(List.of(Threshold.parse("IN:p99<400ms"), Threshold.parse("CN:p99<400ms"),
                Threshold.parse("all:errors<1.5%"), Threshold.parse("IN:errors<1%"), Threshold.parse("beijing:wrong_region<0.1%"),
                Threshold.parse("BR:p99<1s"), Threshold.parse("in:p99<500ms"), Threshold.parse("us:p99<200ms")), REPORT);
        assertThat(verdicts).extracting(Threshold.Verdict::met).containsExactly(false, true, true, false, true, false, true, true);
        assertThat(verdicts.get(6).value()).as("in: the market IN, whatever its case").isEqualTo(420);
        assertThat(verdicts.get(7).value()).as("us: the region us, not the market US").isEqualTo(150);
        assertThat(verdicts.get(0).value()).isEqualTo(420);
        assertThat(verdicts.get(3).value()).isEqualTo(0.02);
        assertThat(verdicts.get(5).note()).isEqualTo("no group BR in this run");
    }

    @Test
    void theJsonReportCarriesTheVerdictsAndTheRunAsFields() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                JsonReport.render(REPORT, Threshold.evaluate(List.of(Threshold.parse("IN:p99<400ms")), REPORT)));
        assertThat(json.at("/model/kind").asText()).isEqualTo("open");
        assertThat(json.at("/model/rate_per_second").asDouble()).isEqualTo(100);
        assertThat(json.at("/mix/IN").asInt()).isEqualTo(50);
        assertThat(json.at("/priming/requests").asInt()).isEqualTo(8);
        assertThat(json.at("/priming/in_figures").asBoolean()).isFalse();
        assertThat(json.at("/thresholds/0/met").asBoolean()).isFalse();
        assertThat(json.at("/thresholds/0/value").asDouble()).isEqualTo(420);
        assertThat(json.at("/thresholds/0/unit").asText()).isEqualTo("ms");
    }
}
