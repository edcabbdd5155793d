package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.demo.DemoGeoIp;
import io.homeport.geodns.PowerDnsProcess;
import io.homeport.world.Claims;
import io.homeport.world.LatencyTable;
import io.homeport.world.PrometheusProcess;
import io.homeport.world.WorldPlan;
import io.homeport.world.WorldReport;
import io.homeport.world.WorldRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The world's smoke run ({@code homeport world --smoke}, about a minute): every scenario on the real
 * parts — edge Homeports, PowerDNS's GeoIP backend, delay links, a real Prometheus — and every
 * market served by the region its scenario expects, reached through the edge the GeoDNS named.
 */
class WorldSmokeTest {

    @Test
    void everyMarketIsRoutedToItsExpectedRegionInEveryScenario(@TempDir Path out) throws Exception {
        OperatorTool.requireInstalled(PowerDnsProcess.BINARY, "Debian packages pdns-server, pdns-backend-geoip");
        if (!PowerDnsProcess.isInstalled()) {
            OperatorTool.requireInstalled(Path.of("/usr/lib/pdns-backend-geoip-missing"), "Debian package pdns-backend-geoip");
        }
        OperatorTool.requireInstalled(PrometheusProcess.BINARY, "Debian package prometheus");
        StringWriter log = new StringWriter();
        WorldRun.Result result = new WorldRun(WorldRun.Settings.smoke(out, LatencyTable.bundled()), DemoGeoIp.file(),
                new PrintWriter(log)).run();
        WorldReport report = WorldReport.of(result);

        assertThat(report.misrouted()).as(log.toString()).isEmpty();
        assertThat(result.scenarios()).extracting(s -> s.scenario().name())
                .containsExactly("2014", "singapore-opens", "india-half", "residency");
        for (WorldRun.ScenarioResult scenario : result.scenarios()) {
            for (WorldRun.MarketResult market : scenario.markets()) {
                // The phones went where the GeoDNS sent them, and that is the scenario's edge for the market.
                assertThat(market.edge()).as("%s %s", scenario.scenario().name(), market.country())
                        .isEqualTo(WorldPlan.edgeFor(scenario.scenario(), market.country()));
                assertThat(market.report().total().servedBy().keySet()).as("%s %s", scenario.scenario().name(), market.country())
                        .isEqualTo(scenario.scenario().expected().get(market.country()));
            }
            // Prometheus scraped the edges: a p99 for every region that served.
            Set<String> served = scenario.markets().stream().flatMap(m -> m.report().total().servedBy().keySet().stream())
                    .collect(Collectors.toSet());
            assertThat(scenario.prometheusP99Seconds().keySet()).as(scenario.scenario().name()).containsAll(served);
        }
        assertThat(report.claims()).extracting(Claims.Check::market).containsExactly("HK", "SG", "TW", "IN", "MY", "CN");
        assertThat(report.claims().get(5).verdict()).as("China unchanged").isEqualTo(Claims.Verdict.REPRODUCED);

        Path html = report.write(out);
        assertThat(Files.readString(html)).contains("The 2014 claims", "Round trips used", "ESTIMATE", "cloudping");
        assertThat(out.resolve("world-report.json")).exists();
    }
}
