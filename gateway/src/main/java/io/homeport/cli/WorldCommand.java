package io.homeport.cli;

import io.homeport.demo.DemoGeoIp;
import io.homeport.world.LatencyTable;
import io.homeport.world.WorldReport;
import io.homeport.world.WorldRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code homeport world}: the local three-region world, and its report against 2014's claims. */
@Command(
        name = "world",
        mixinStandardHelpOptions = true,
        header = "Runs the local three-region world and reports what residency bought.",
        description = {
            "Brings up regions beijing, singapore and us, an edge Homeport beside each, a PowerDNS GeoDNS front and a",
            "real Prometheus, with delay links between markets, edges and regions taken from a cited round-trip table",
            "(deploy/world/README.md). Runs 2014 (every user's data in Beijing), the phases of the move and residency",
            "routing on identical traffic from CN HK TW SG MY IN ID US BR, and writes world-report.html and .json.",
            "Needs pdns-server, pdns-backend-geoip and prometheus (Debian). Exit codes: 0 every market served by its",
            "expected region in every scenario, 1 not (or the world could not start), 2 usage."
        })
final class WorldCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "world-report", description = "Where the report goes (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--smoke", description = "The short version (about a minute): every scenario, a few seconds each.")
    boolean smoke;

    @Option(names = "--latency", paramLabel = "FILE", description = "A round-trip table instead of the bundled one (same format).")
    Path latency;

    @Option(names = "--scenario", paramLabel = "NAME", split = ",", description = "Only these scenarios (2014, singapore-opens, india-half, residency).")
    List<String> scenarios;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        LatencyTable table = latency == null ? LatencyTable.bundled() : LatencyTable.load(latency);
        WorldRun.Settings settings = smoke ? WorldRun.Settings.smoke(out, table) : WorldRun.Settings.full(out, table);
        if (scenarios != null && !scenarios.isEmpty()) {
            scenarios.forEach(io.homeport.world.WorldPlan::scenario); // an unknown name fails before anything starts
            settings = new WorldRun.Settings(settings.out(), settings.latency(), settings.serverTime(), settings.ratePerMarket(),
                    settings.warmup(), settings.duration(), settings.connectionsPerMarket(), settings.clientsPerMarket(), scenarios,
                    settings.seed());
        }
        WorldRun.Result result = new WorldRun(settings, DemoGeoIp.file(), err).run();
        WorldReport report = WorldReport.of(result);
        Path html = report.write(out);
        err.println("report: " + html.toAbsolutePath());
        List<String> misrouted = report.misrouted();
        if (!misrouted.isEmpty()) {
            misrouted.forEach(line -> err.println("NOT AS EXPECTED: " + line));
            err.flush();
            return 1;
        }
        err.println("every market was served by its expected region in every scenario");
        err.flush();
        return 0;
    }
}
