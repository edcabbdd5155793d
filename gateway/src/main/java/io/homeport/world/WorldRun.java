package io.homeport.world;

import io.homeport.config.GatewayConfig;
import io.homeport.geodns.EcsQuery;
import io.homeport.geodns.EdgeTable;
import io.homeport.geodns.PowerDnsProcess;
import io.homeport.loadtest.LoadModel;
import io.homeport.loadtest.LoadReport;
import io.homeport.loadtest.LoadRun;
import io.homeport.loadtest.LoadTestConfig;
import io.homeport.loadtest.MarketMix;
import io.homeport.loadtest.TargetUrl;
import io.homeport.net.Cidr;
import io.homeport.net.HostAndPort;
import io.homeport.netty.Transports;
import io.homeport.reload.ReloadResult;
import io.homeport.server.Homeport;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Brings the world up, runs every scenario on identical client traffic, and tears it down:
 *
 * <pre>
 * phone (market M, real address of M) --DNS: PowerDNS GeoIP, ECS of M's subnet--> edge E's address
 * phone --delay link M-E (one way: half the round trip between M's city and E's)--> edge E (Homeport)
 * edge E --delay link E-R (half the round trip between E's city and R's)--> region R's backend
 * </pre>
 *
 * Each scenario rewrites every edge's rules (a hot reload) and the GeoDNS zone, resolves each
 * market's edge afresh, then offers the same open-model load from every market at once. A real
 * Prometheus scrapes the edges throughout. All traffic is on loopback addresses of 127.0.0.0/8.
 */
public final class WorldRun {

    /** How the world is run. */
    public record Settings(Path out, LatencyTable latency, Duration serverTime, double ratePerMarket, Duration warmup,
            Duration duration, int connectionsPerMarket, int clientsPerMarket, List<String> scenarios, long seed) {

        public static Settings full(Path out, LatencyTable latency) {
            return new Settings(out, latency, Duration.ofMillis(20), 20, Duration.ofSeconds(10), Duration.ofSeconds(60), 24, 500,
                    WorldPlan.SCENARIOS.stream().map(WorldPlan.Scenario::name).toList(), 1);
        }

        /** The CI's short version: every scenario, a few seconds each. */
        public static Settings smoke(Path out, LatencyTable latency) {
            return new Settings(out, latency, Duration.ofMillis(20), 10, Duration.ofSeconds(2), Duration.ofSeconds(6), 12, 100,
                    WorldPlan.SCENARIOS.stream().map(WorldPlan.Scenario::name).toList(), 1);
        }
    }

    /** One market in one scenario: where DNS sent it, the path's round trips, and what the load tester measured. */
    public record MarketResult(String country, String edge, List<String> dnsAnswer, LatencyTable.RoundTrip toEdge,
            Map<String, LatencyTable.RoundTrip> edgeToRegion, LoadReport report) {}

    /** One scenario: each market, and Prometheus's p99 per region as scraped from the edges. */
    public record ScenarioResult(WorldPlan.Scenario scenario, Instant start, Instant end, List<MarketResult> markets,
            Map<String, Double> prometheusP99Seconds, List<String> reloadChanges) {}

    /** The whole run. */
    public record Result(Settings settings, String delayMethod, List<ScenarioResult> scenarios, double seconds) {}

    static final String ZONE = "world.homeport.test";
    static final String METRIC_P99 = "histogram_quantile(0.99, sum by (le, region) (increase(homeport_request_duration_seconds_bucket[%ds])))";

    private final Settings settings;
    private final PrintWriter log;
    private final Path geoip;

    public WorldRun(Settings settings, Path geoip, PrintWriter log) {
        this.settings = settings;
        this.geoip = geoip;
        this.log = log;
    }

    public Result run() throws Exception {
        long began = System.nanoTime();
        Path work = settings.out().resolve("work");
        Files.createDirectories(work);
        Transports transports = Transports.best();
        EventLoopGroup network = transports.newGroup(1, "world-network");
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            // Regions: one backend each.
            Map<String, WorldBackend> backends = new LinkedHashMap<>();
            for (int r = 0; r < WorldPlan.SITES.size(); r++) {
                WorldPlan.Site site = WorldPlan.SITES.get(r);
                WorldBackend backend = WorldBackend.start(site.region() + "-1", transports, network,
                        new InetSocketAddress(address("127.0.20." + (r + 1)), 0), settings.serverTime());
                resources.add(backend);
                backends.put(site.region(), backend);
            }
            // Links from each edge to each region.
            Map<String, Map<String, DelayLink>> regionLinks = new LinkedHashMap<>();
            int linkIndex = 1;
            for (WorldPlan.Site edge : WorldPlan.SITES) {
                Map<String, DelayLink> links = new LinkedHashMap<>();
                for (WorldPlan.Site region : WorldPlan.SITES) {
                    LatencyTable.RoundTrip trip = settings.latency().between(edge.city(), region.city());
                    DelayLink link = DelayLink.start(edge.region() + "->" + region.region(), transports, network,
                            new InetSocketAddress(address("127.0.30." + linkIndex++), 0), backends.get(region.region()).address(),
                            halfOf(trip));
                    resources.add(link);
                    links.put(region.region(), link);
                }
                regionLinks.put(edge.region(), links);
            }
            // Edges: a Homeport beside each region, each with its own rules file (its links as endpoints).
            Map<String, Homeport> edges = new LinkedHashMap<>();
            Map<String, Path> rulesFiles = new LinkedHashMap<>();
            WorldPlan.Scenario first = WorldPlan.scenario(settings.scenarios().get(0));
            for (int e = 0; e < WorldPlan.SITES.size(); e++) {
                WorldPlan.Site site = WorldPlan.SITES.get(e);
                Path rules = work.resolve("rules-" + site.region() + "-edge.yaml");
                Files.writeString(rules, rules(regionLinks.get(site.region()), first));
                rulesFiles.put(site.region(), rules);
                InetAddress edgeAddress = address("127.0.10." + (e + 1));
                GatewayConfig config = GatewayConfig.of(rules, geoip)
                        .withListeners(List.of(new GatewayConfig.Listener(new HostAndPort(edgeAddress.getHostAddress(), 0), Optional.empty(), false)))
                        .withAdmin(new GatewayConfig.Admin(new HostAndPort(edgeAddress.getHostAddress(), 0), Optional.empty()))
                        // The delay links arrive from loopback and pass on the phone's own address in X-Forwarded-For.
                        .withClientIp(new GatewayConfig.ClientIp(List.of(Cidr.parse("127.0.0.0/8").orElseThrow())))
                        .withAccessLog(GatewayConfig.AccessLog.OFF)
                        .withWorkers(1);
                Homeport homeport = Homeport.start(Homeport.Options.forDemo(config, Duration.ofHours(1), null));
                resources.add(homeport);
                edges.put(site.region(), homeport);
            }
            // Market links: each market's own path to each edge.
            Map<String, Map<String, DelayLink>> marketLinks = new LinkedHashMap<>();
            int marketIndex = 1;
            for (WorldPlan.Market market : WorldPlan.MARKETS) {
                Map<String, DelayLink> links = new LinkedHashMap<>();
                for (WorldPlan.Site edge : WorldPlan.SITES) {
                    LatencyTable.RoundTrip trip = settings.latency().between(market.city(), edge.city());
                    DelayLink link = DelayLink.start(market.country() + "->" + edge.region() + "-edge", transports, network,
                            new InetSocketAddress(address("127.0.40." + marketIndex++), 0), edges.get(edge.region()).proxyAddresses().get(0),
                            halfOf(trip));
                    resources.add(link);
                    links.put(edge.region(), link);
                }
                marketLinks.put(market.country(), links);
            }
            Map<String, InetSocketAddress> admins = new LinkedHashMap<>();
            edges.forEach((name, homeport) -> admins.put(name, homeport.adminAddress()));
            PrometheusProcess prometheus = PrometheusProcess.start(work.resolve("prometheus"), admins);
            resources.add(prometheus);
            log.printf(Locale.ROOT, "world: 3 regions, 3 edges, %d markets, %d delay links (userspace: no netem), Prometheus scraping the edges%n",
                    WorldPlan.MARKETS.size(), WorldPlan.SITES.size() * (WorldPlan.SITES.size() + WorldPlan.MARKETS.size()));
            log.flush();

            List<ScenarioResult> results = new ArrayList<>();
            for (String name : settings.scenarios()) {
                WorldPlan.Scenario scenario = WorldPlan.scenario(name);
                results.add(runScenario(scenario, transports, network, work, edges, rulesFiles, regionLinks, marketLinks, prometheus));
            }
            return new Result(settings, "userspace TCP delay links (this kernel has no netem)", results,
                    (System.nanoTime() - began) / 1e9);
        } finally {
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception e) {
                    log.println("world: closing " + resources.get(i) + ": " + e);
                }
            }
            network.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private ScenarioResult runScenario(WorldPlan.Scenario scenario, Transports transports, EventLoopGroup network, Path work,
            Map<String, Homeport> edges, Map<String, Path> rulesFiles, Map<String, Map<String, DelayLink>> regionLinks,
            Map<String, Map<String, DelayLink>> marketLinks, PrometheusProcess prometheus) throws Exception {
        log.println("scenario " + scenario.name() + ": " + scenario.title());
        log.flush();
        // Every edge serves the scenario's rules (a hot reload, as an SRE's change would arrive).
        List<String> changes = new ArrayList<>();
        for (Map.Entry<String, Homeport> edge : edges.entrySet()) {
            Path rules = rulesFiles.get(edge.getKey());
            Path temporary = rules.resolveSibling(rules.getFileName() + ".tmp");
            Files.writeString(temporary, rules(regionLinks.get(edge.getKey()), scenario));
            Files.move(temporary, rules, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            ReloadResult reload = edge.getValue().reloader().reload("world scenario " + scenario.name());
            if (!reload.success()) {
                throw new IllegalStateException("edge " + edge.getKey() + " refused the rules of " + scenario.name() + ": " + reload.errors());
            }
            if (edge.getKey().equals(WorldPlan.SITES.get(0).region())) {
                changes.addAll(reload.changes());
            }
        }
        // The GeoDNS front answers the scenario's table of edges.
        EdgeTable table = edgeTable(scenario, edges);
        List<MarketResult> results = new ArrayList<>();
        Map<String, String> edgeOfMarket = new LinkedHashMap<>();
        Map<String, List<String>> answers = new LinkedHashMap<>();
        try (PowerDnsProcess dns = PowerDnsProcess.start(work.resolve("dns-" + scenario.name()), table, geoip.toAbsolutePath(),
                address("127.0.50.1"), 0);
                EcsQuery query = new EcsQuery(transports, network, dns.address())) {
            for (WorldPlan.Market market : WorldPlan.MARKETS) {
                InetAddress phone = InetAddress.getByName(sampleAddress(market.country()));
                List<InetAddress> answer = query.resolve(table.serviceName(), phone, EcsQuery.defaultPrefix(phone), false, 3_000);
                String edge = answer.isEmpty() ? null : table.edgeAt(answer.get(0)).map(EdgeTable.Edge::name).orElse(null);
                if (edge == null) {
                    throw new IllegalStateException("GeoDNS answered " + answer + " for " + market.country() + " (" + phone + "): no edge");
                }
                edgeOfMarket.put(market.country(), edge);
                answers.put(market.country(), answer.stream().map(InetAddress::getHostAddress).toList());
            }
        }
        log.println("  DNS: " + edgeOfMarket);
        log.flush();
        // The same load from every market at once, each market through its own link to its edge.
        Instant start = Instant.now();
        ExecutorService runners = Executors.newFixedThreadPool(WorldPlan.MARKETS.size(), task -> {
            Thread thread = new Thread(task, "world-market");
            thread.setDaemon(true);
            return thread;
        });
        Map<String, Future<LoadReport>> reports = new LinkedHashMap<>();
        try {
            for (WorldPlan.Market market : WorldPlan.MARKETS) {
                DelayLink link = marketLinks.get(market.country()).get(edgeOfMarket.get(market.country()));
                LoadTestConfig config = new LoadTestConfig(
                        TargetUrl.parse("http://" + link.address().getHostString() + ":" + link.address().getPort() + "/api/sync"),
                        new LoadTestConfig.Expectation(rulesFiles.get(WorldPlan.SITES.get(0).region()), geoip),
                        new LoadTestConfig.Traffic(new MarketMix(Map.of(market.country(), 1)), settings.clientsPerMarket(), true, settings.seed()),
                        new LoadModel.FixedRate(settings.ratePerMarket()), settings.warmup(), settings.duration(),
                        new LoadTestConfig.ClientSettings(settings.connectionsPerMarket(), 1, Duration.ofSeconds(10)));
                reports.put(market.country(), runners.submit(() -> new LoadRun(config, new PrintWriter(new StringWriter())).run()));
            }
            for (WorldPlan.Market market : WorldPlan.MARKETS) {
                String edge = edgeOfMarket.get(market.country());
                Map<String, LatencyTable.RoundTrip> edgeToRegion = new LinkedHashMap<>();
                for (WorldPlan.Site region : WorldPlan.SITES) {
                    edgeToRegion.put(region.region(), settings.latency().between(WorldPlan.site(edge).city(), region.city()));
                }
                LoadReport report = reports.get(market.country()).get();
                results.add(new MarketResult(market.country(), edge, answers.get(market.country()),
                        settings.latency().between(market.city(), WorldPlan.site(edge).city()), edgeToRegion, report));
            }
        } finally {
            runners.shutdownNow();
        }
        Instant end = Instant.now();
        Thread.sleep(2_500); // two more scrapes, so the window holds the scenario's last requests
        long windowSeconds = Math.max(5, Duration.between(start, end).toSeconds());
        Map<String, Double> p99 = prometheus.query(String.format(Locale.ROOT, METRIC_P99, windowSeconds), end.plusSeconds(2), "region");
        for (MarketResult result : results) {
            log.printf(Locale.ROOT, "  %-2s via %-9s edge: p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  served by %s%n", result.country(),
                    result.edge(), result.report().total().latency().p50(), result.report().total().latency().p90(),
                    result.report().total().latency().p99(), result.report().total().servedBy());
        }
        log.println("  Prometheus p99 by region (edge to region and back): " + p99);
        log.flush();
        return new ScenarioResult(scenario, start, end, results, p99, changes);
    }

    /** The rules an edge serves in a scenario: its own links as the regions' endpoints. */
    static String rules(Map<String, DelayLink> links, WorldPlan.Scenario scenario) {
        StringBuilder yaml = new StringBuilder("# Written by homeport world for scenario ").append(scenario.name()).append('\n')
                .append("version: 1\nregions:\n");
        links.forEach((region, link) -> yaml.append("  ").append(region).append(": {endpoints: [\"http://")
                .append(link.address().getHostString()).append(':').append(link.address().getPort())
                .append("\"], fail_over_to: []}\n"));
        yaml.append(scenario.residency());
        yaml.append("routes:\n  - {name: api, path_prefix: /api/}\n");
        return yaml.toString();
    }

    static EdgeTable edgeTable(WorldPlan.Scenario scenario, Map<String, Homeport> edges) {
        List<EdgeTable.Edge> list = new ArrayList<>();
        edges.forEach((name, homeport) -> list.add(new EdgeTable.Edge(name, List.of(homeport.proxyAddresses().get(0).getAddress()),
                scenario.edgeCountries().getOrDefault(name, List.of()), name.equals(scenario.defaultEdge()))));
        return new EdgeTable(ZONE, "api", 30, list);
    }

    /** A market's sample address (gateway/geoip-fixtures/sample-addresses.tsv), for its resolver's client subnet. */
    static String sampleAddress(String country) {
        return switch (country) {
            case "CN" -> "1.2.4.8";
            case "HK" -> "202.45.84.58";
            case "TW" -> "168.95.1.1";
            case "SG" -> "165.21.83.88";
            case "MY" -> "202.188.0.133";
            case "IN" -> "202.54.1.30";
            case "ID" -> "202.134.0.155";
            case "US" -> "8.8.8.8";
            case "BR" -> "200.160.2.3";
            default -> throw new IllegalArgumentException("no sample address for " + country);
        };
    }

    static Duration halfOf(LatencyTable.RoundTrip trip) {
        return Duration.ofNanos(Math.round(trip.milliseconds() * 1e6 / 2));
    }

    private static InetAddress address(String literal) throws IOException {
        return InetAddress.getByName(literal);
    }
}
