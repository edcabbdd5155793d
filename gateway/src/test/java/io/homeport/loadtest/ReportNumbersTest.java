package io.homeport.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reports' figures for a fixed set of recorded results, worked out by hand. */
class ReportNumbersTest {

    static final long START = TimeUnit.SECONDS.toNanos(100);
    static final Client CN = new Client("CN", "1.2.4.8", null, "beijing");
    static final Client US = new Client("US", "8.8.8.8", null, "us");

    LoadReport report;

    @BeforeEach
    void record() {
        ResultRecorder recorder = new ResultRecorder(MarketMix.parse("CN=60,US=40"), START);
        // China: 1000 responses from beijing taking 1 ms, 2 ms, ... 1000 ms.
        for (int ms = 1; ms <= 1000; ms++) {
            recorder.accept(Completion.response(request(CN), 200, "beijing", START + TimeUnit.MILLISECONDS.toNanos(ms)));
        }
        // The US: 90 from us and 5 from singapore at 10 ms, 3 503s without a region at 1 ms, 2 timeouts at 5 s,
        // 1 connection error (counted, not timed).
        for (int i = 0; i < 90; i++) {
            recorder.accept(Completion.response(request(US), 200, "us", START + TimeUnit.MILLISECONDS.toNanos(10)));
        }
        for (int i = 0; i < 5; i++) {
            recorder.accept(Completion.response(request(US), 200, "singapore", START + TimeUnit.MILLISECONDS.toNanos(10)));
        }
        for (int i = 0; i < 3; i++) {
            recorder.accept(Completion.response(request(US), 503, null, START + TimeUnit.MILLISECONDS.toNanos(1)));
        }
        for (int i = 0; i < 2; i++) {
            recorder.accept(Completion.failure(request(US), Completion.Outcome.TIMEOUT, START + TimeUnit.SECONDS.toNanos(5)));
        }
        recorder.accept(Completion.failure(request(US), Completion.Outcome.CONNECTION_ERROR, START + 1000));
        // A warm-up request, meant to start before the measurement: not recorded.
        recorder.accept(Completion.response(new PlannedRequest(START - 1, CN), 500, null, START + 10));

        LoadReport.Run run = new LoadReport.Run(Instant.parse("2026-01-01T00:00:00Z"), "http://127.0.0.1:8080/",
                "open model, 1101 req/s", 0, 1, 4, "CN=60,US=40", false, "demo.yaml", "demo db",
                new LoadModel.FixedRate(1101), MarketMix.parse("CN=60,US=40"), false, 8);
        report = new LoadReport(run, 1.0, recorder.total(), recorder.markets(), recorder.regions(), recorder.series());
    }

    @Test
    void countsPerMarket() {
        GroupReport china = report.markets().get(0);
        GroupReport us = report.markets().get(1);

        assertThat(china.name()).isEqualTo("CN");
        assertThat(china.requests()).isEqualTo(1000);
        assertThat(china.errors()).isZero();
        assertThat(china.expectedShare()).isEqualTo(1.0);
        assertThat(china.servedBy()).containsExactly(java.util.Map.entry("beijing", 1000L));

        assertThat(us.requests()).isEqualTo(101);
        assertThat(us.ok()).isEqualTo(95);
        assertThat(us.httpErrors()).isEqualTo(3);
        assertThat(us.timeouts()).isEqualTo(2);
        assertThat(us.connectionErrors()).isEqualTo(1);
        assertThat(us.errors()).isEqualTo(6);
        assertThat(us.responses()).isEqualTo(98);
        assertThat(us.expectedMatches()).isEqualTo(90);
        assertThat(us.expectedShare()).isEqualTo(90.0 / 98);
        assertThat(us.servedBy()).containsOnlyKeys("us", "singapore", "(none)").containsEntry("(none)", 3L);
        assertThat(us.expectedRegions()).containsExactly(java.util.Map.entry("us", 101L));
    }

    @Test
    void percentilesOfAKnownDistribution() {
        LatencySummary china = report.markets().get(0).latency();

        // HdrHistogram with 3 significant digits: each value within 0.1%.
        assertThat(china.p50()).isCloseTo(500, within(0.5));
        assertThat(china.p90()).isCloseTo(900, within(0.9));
        assertThat(china.p99()).isCloseTo(990, within(1.0));
        assertThat(china.p999()).isCloseTo(999, within(1.0));
        assertThat(china.max()).isCloseTo(1000, within(1.0));
        assertThat(china.mean()).isCloseTo(500.5, within(0.5));

        // 100 timed US requests (the connection error is not timed): 3 at 1 ms, 95 at 10 ms, 2 timeouts at 5 s.
        LatencySummary us = report.markets().get(1).latency();
        assertThat(us.p50()).isCloseTo(10, within(0.01));
        assertThat(us.p90()).isCloseTo(10, within(0.01));
        assertThat(us.p99()).isCloseTo(5000, within(10.0));
        assertThat(us.max()).isCloseTo(5000, within(10.0));
    }

    @Test
    void regionsAndTotals() {
        assertThat(report.regions()).extracting(GroupReport::name).containsExactly("(none)", "beijing", "singapore", "us");
        GroupReport none = report.regions().get(0);
        assertThat(none.requests()).as("503s, timeouts and the connection error have no region").isEqualTo(6);
        assertThat(report.regions().get(2).expectedShare()).as("singapore served US clients").isZero();

        GroupReport total = report.total();
        assertThat(total.requests()).isEqualTo(1101);
        assertThat(total.errors()).isEqualTo(6);
        assertThat(total.expectedShare()).isEqualTo(1090.0 / 1098);
        assertThat(report.achievedRate()).isEqualTo(1101.0);
    }

    @Test
    void theDistributionRisesToTheMaximumAtOneHundredPercent() {
        var points = report.markets().get(0).distribution();

        assertThat(points).hasSizeGreaterThan(20);
        assertThat(points.get(points.size() - 1).percentile()).isEqualTo(100.0);
        assertThat(points.get(points.size() - 1).latencyMs()).isCloseTo(1000, within(1.0));
        for (int i = 1; i < points.size(); i++) {
            assertThat(points.get(i).latencyMs()).isGreaterThanOrEqualTo(points.get(i - 1).latencyMs());
        }
    }

    @Test
    void theTextReportShowsTheFigures() {
        String text = TextReport.render(report);

        assertThat(text).contains("1101 requests in 1.00 s (1101 req/s); errors 6 (3 non-2xx, 2 timeouts, 1 connection)");
        assertThat(text).containsPattern("(?m)^CN +1000 +0 +500 +900 +990 +999 +1000 +beijing +100\\.00% +beijing$");
        assertThat(text).containsPattern("(?m)^US +101 +6 +10\\.0 +10\\.0 +500\\d +500\\d +500\\d +us +91\\.84% +us 92%/singapore 5%/\\(none\\) 3%$");
        assertThat(text).containsPattern("(?m)^singapore +5 +0 .* +0\\.00%$");
    }

    @Test
    void theJsonReportHasTheSameFigures() throws Exception {
        JsonNode json = new ObjectMapper().readTree(JsonReport.render(report));

        assertThat(json.get("url").asText()).isEqualTo("http://127.0.0.1:8080/");
        assertThat(json.get("total").get("requests").asLong()).isEqualTo(1101);
        JsonNode china = json.get("markets").get(0);
        assertThat(china.get("name").asText()).isEqualTo("CN");
        assertThat(china.get("expected_region_share").asDouble()).isEqualTo(1.0);
        assertThat(china.get("latency_ms").get("p99").asDouble()).isCloseTo(990, within(1.0));
        assertThat(china.get("latency_ms").get("p99_9").asDouble()).isCloseTo(999, within(1.0));
        assertThat(china.get("distribution").size()).isGreaterThan(20);
        JsonNode us = json.get("markets").get(1);
        assertThat(us.get("errors").get("http").asLong()).isEqualTo(3);
        assertThat(us.get("errors").get("timeout").asLong()).isEqualTo(2);
        assertThat(us.get("errors").get("connection").asLong()).isEqualTo(1);
        assertThat(us.get("statuses").get("200").asLong()).isEqualTo(95);
        assertThat(us.get("statuses").get("503").asLong()).isEqualTo(3);
        assertThat(us.get("served_by").get("singapore").asLong()).isEqualTo(5);
        assertThat(json.get("regions").get(0).get("name").asText()).isEqualTo("(none)");
    }

    @Test
    void theHtmlReportIsSelfContainedWithAChartPerMarket() {
        String html = HtmlReport.render(report);

        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        assertThat(html).doesNotContain("<script", "src=", "href=", "@import", "url(");
        // The bar chart, the chart of all markets, one per market, then two second by second.
        assertThat(html.split("<svg ", -1)).hasSize(1 + 1 + 1 + 2 + 2);
        assertThat(html).contains("CN (1000 requests)", "US (101 requests)", "<td>990</td>", "91.84%");
        assertThat(html).as("the US's statuses").contains("200 ×95, 503 ×3");
    }

    @Test
    void aMinorityOfRegionsIsNeverRoundedAway() {
        assertThat(ExpectedRegions.shares(java.util.Map.of("us", 997L, "singapore", 3L))).isEqualTo("us >99%/singapore <1%");
        assertThat(ExpectedRegions.shares(java.util.Map.of("us", 75L, "singapore", 25L))).isEqualTo("us 75%/singapore 25%");
        assertThat(ExpectedRegions.shares(java.util.Map.of("beijing", 10L))).isEqualTo("beijing");
    }

    @Test
    void theTailAxisGivesEachNineTheSameRoom() {
        assertThat(SvgCharts.tailPosition(0)).isZero();
        assertThat(SvgCharts.tailPosition(90)).isCloseTo(1, within(1e-9));
        assertThat(SvgCharts.tailPosition(99.9)).isCloseTo(3, within(1e-9));
        assertThat(SvgCharts.nineLabel(4)).isEqualTo("99.99%");
        assertThat(SvgCharts.niceStep(0.3)).isEqualTo(0.5);
        assertThat(SvgCharts.niceStep(170)).isEqualTo(200);
        assertThat(SvgCharts.tickLabel(0, 200)).isEqualTo("0");
        assertThat(SvgCharts.tickLabel(0.30000000000000004, 0.1)).isEqualTo("0.3");
        assertThat(SvgCharts.tickLabel(0.05, 0.05)).isEqualTo("0.05");
        assertThat(HtmlReport.nines(1101)).isEqualTo(3);
    }

    private static PlannedRequest request(Client client) {
        return new PlannedRequest(START, client);
    }
}
