package io.homeport.loadtest;

import io.homeport.config.Durations;
import io.homeport.demo.DemoFiles;
import io.homeport.demo.DemoGeoIp;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.rules.InvalidRulesException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code homeport loadtest}: the regional load tester's command line. */
@Command(
        name = "loadtest",
        mixinStandardHelpOptions = true,
        versionProvider = io.homeport.cli.VersionProvider.class,
        header = "Load-tests a gateway with clients from a mix of markets.",
        sortOptions = false,
        description = {
            "Sends traffic to a gateway as clients from a market mix, with real client",
            "addresses per country in X-Forwarded-For (the gateway must trust this machine,",
            "as `homeport demo` trusts loopback). Reports latency, errors and the share",
            "routed to the expected region, per market and per serving region.",
            "Exit codes: 0 the run completed (and met every --threshold), 1 bad input or target unreachable,",
            "2 usage, 99 a --threshold not met."
        })
public final class LoadTestCommand implements Callable<Integer> {

    static final String WORLD_DB = ".cache/geoip/geo-whois-asn-country.mmdb";
    static final int DEFAULT_OPEN_CONNECTIONS = 64;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080/", description = "The gateway (default: ${DEFAULT-VALUE}).")
    String url;

    @ArgGroup(exclusive = true)
    MixSource mixSource;

    static final class MixSource {
        @Option(names = "--mix", paramLabel = "CC=W,...", description = "Market mix, country code to weight (default: "
                + MarketMix.DEFAULT + ").")
        String mix;

        @Option(names = "--mix-file", paramLabel = "mix.yaml", description = "The mix as a YAML map (CN: 40).")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Model model;

    static final class Model {
        @Option(names = "--rate", paramLabel = "N/s", description = "Open model: N requests per second, on schedule.")
        String rate;

        @Option(names = "--concurrency", paramLabel = "N", description = "Closed model: N users, each waiting for its response.")
        Integer concurrency;
    }

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "30s", description = "How long to offer load (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "0s", description = "Load at the same rate before the duration, not recorded:"
            + " lets the JIT of both sides settle (default: ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--connections", paramLabel = "N", description = "Keep-alive connections in the pool (default: "
            + DEFAULT_OPEN_CONNECTIONS + " with --rate, N with --concurrency).")
    Integer connections;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", description = "Per request (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--geoip", paramLabel = "DB", description = "Where client addresses come from and how the expected region"
            + " is decided: an MMDB file, or 'demo' for the bundled demo database (default: " + WORLD_DB
            + " if present, else demo). Use the gateway's own database.")
    String geoip;

    @Option(names = "--rules", paramLabel = "FILE", description = "The rules the gateway serves (default: routing-rules/examples/demo.yaml).")
    Path rules;

    @Option(names = "--user-ids", description = "Give each client a random user id, sent in the rules' identity header"
            + " (X-User-Id by default); the expected region uses it too.")
    boolean userIds;

    @Option(names = "--clients-per-market", paramLabel = "N", defaultValue = "1000",
            description = "Distinct clients (addresses) per market (default: ${DEFAULT-VALUE}).")
    int clientsPerMarket;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed for clients and arrivals (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--io-threads", paramLabel = "N", description = "Netty I/O threads (default: half the cores, 1 to 4).")
    Integer ioThreads;

    @Option(names = "--threshold", paramLabel = "GROUP:METRIC<LIMIT", description = "Fail the run (exit "
            + Threshold.EXIT_CODE + ") unless it holds, e.g. IN:p99<400ms, all:errors<1%, singapore:wrong_region<0.1%;"
            + " GROUP is a market, a serving region or all. Repeatable.")
    List<String> thresholds = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", defaultValue = "loadtest-report.json", description = "JSON report (default: ${DEFAULT-VALUE}).")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", defaultValue = "loadtest-report.html", description = "HTML report (default: ${DEFAULT-VALUE}).")
    Path html;

    /** The configured command line, for tests that run it in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new LoadTestCommand());
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LoadTestConfig config;
        List<Threshold> checks = new ArrayList<>();
        try {
            for (String threshold : thresholds) {
                checks.add(Threshold.parse(threshold));
            }
            config = config(err);
        } catch (IllegalArgumentException e) {
            err.println("homeport loadtest: " + e.getMessage());
            err.flush();
            return 1;
        }
        LoadRun run = new LoadRun(config, err);
        StopOnInterrupt interrupt = new StopOnInterrupt(run, err, config.client().timeout().plusSeconds(10));
        try {
            LoadReport report = run.run();
            out.print(TextReport.render(report));
            List<Threshold.Verdict> verdicts = Threshold.evaluate(checks, report);
            verdicts.forEach(verdict -> out.println(describe(verdict)));
            out.flush();
            JsonReport.write(report, verdicts, json);
            HtmlReport.write(report, html);
            err.println("reports: " + json + ", " + html);
            noteMismatches(report, config, err);
            err.flush();
            return verdicts.stream().allMatch(Threshold.Verdict::met) ? 0 : Threshold.EXIT_CODE;
        } catch (InvalidRulesException e) {
            e.problems().forEach(err::println);
            err.flush();
            return 1;
        } catch (InvalidGeoIpDatabaseException e) {
            err.println("homeport loadtest: GeoIP database refused: " + e.getMessage());
            err.flush();
            return 1;
        } catch (UnreachableTargetException | IllegalArgumentException e) {
            err.println("homeport loadtest: " + e.getMessage());
            err.flush();
            return 1;
        } finally {
            interrupt.close();
        }
    }

    private LoadTestConfig config(PrintWriter err) throws IOException {
        MarketMix mix = mixSource != null && mixSource.file != null ? MarketMixFile.load(mixSource.file)
                : MarketMix.parse(mixSource != null && mixSource.mix != null ? mixSource.mix : MarketMix.DEFAULT);
        LoadModel loadModel = model.rate != null ? new LoadModel.FixedRate(parseRate(model.rate))
                : new LoadModel.FixedConcurrency(model.concurrency);
        int pool = connections != null ? connections
                : loadModel instanceof LoadModel.FixedConcurrency closed ? closed.users() : DEFAULT_OPEN_CONNECTIONS;
        int threads = ioThreads != null ? ioThreads : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        Path rulesFile = rules != null ? rules : DemoFiles.rules();
        Path database = database(err);
        return new LoadTestConfig(
                TargetUrl.parse(url),
                new LoadTestConfig.Expectation(rulesFile, database),
                new LoadTestConfig.Traffic(mix, clientsPerMarket, userIds, seed),
                loadModel,
                duration("--warmup", warmup),
                duration("--duration", duration),
                new LoadTestConfig.ClientSettings(pool, threads, duration("--timeout", timeout)));
    }

    private static String describe(Threshold.Verdict verdict) {
        Threshold threshold = verdict.threshold();
        String value = Double.isNaN(verdict.value()) ? "no value"
                : threshold.metric().isLatency() ? Reports.millis(verdict.value()) + " ms"
                : String.format(java.util.Locale.ROOT, "%.3f%%", verdict.value() * 100);
        return "threshold " + threshold.text() + ": " + value + (verdict.met() ? " — met" : " — NOT met")
                + (verdict.note().isEmpty() ? "" : " (" + verdict.note() + ")");
    }

    /** {@code --geoip}: a file, {@code demo}, or by default the world database when it was fetched, else demo. */
    private Path database(PrintWriter err) {
        if ("demo".equals(geoip)) {
            return DemoGeoIp.file();
        }
        if (geoip != null) {
            return Path.of(geoip);
        }
        List<Path> roots = new ArrayList<>();
        String home = System.getenv("HOMEPORT_HOME");
        if (home != null) {
            roots.add(Path.of(home));
        }
        roots.add(Path.of(""));
        for (Path root : roots) {
            Path world = root.resolve(WORLD_DB);
            if (Files.isRegularFile(world)) {
                return world;
            }
        }
        err.println("note: no --geoip given and no " + WORLD_DB + "; using the bundled demo GeoIP database");
        return DemoGeoIp.file();
    }

    static double parseRate(String text) {
        String number = text.endsWith("/s") ? text.substring(0, text.length() - 2) : text;
        try {
            return Double.parseDouble(number.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rate " + text + " (expected: requests per second, e.g. 2000 or 2000/s)");
        }
    }

    private static Duration duration(String option, String text) {
        return Durations.parse(text).orElseThrow(() -> new IllegalArgumentException(option + " " + text
                + " (expected: a duration such as 500ms, 30s, 2m)"));
    }

    /** Says why a share below 100% may not be the gateway's fault: the two sides disagree on rules or database. */
    private static void noteMismatches(LoadReport report, LoadTestConfig config, PrintWriter err) {
        GroupReport total = report.total();
        if (total.responses() > 0 && total.expectedMatches() < total.responses()) {
            err.printf("note: %d of %d responses came from another region than %s with %s gives.%n"
                    + "      If the gateway is right, it uses other rules or another GeoIP database (against"
                    + " `homeport demo`, pass --geoip demo).%n",
                    total.responses() - total.expectedMatches(), total.responses(), config.expectation().rules(),
                    config.expectation().geoip());
        }
    }
}
