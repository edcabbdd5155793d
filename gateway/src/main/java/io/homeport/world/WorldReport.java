package io.homeport.world;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.homeport.loadtest.GroupReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The world's report: per market and scenario, where DNS sent the phones, which region served
 * them and the load tester's p50/p90/p99; Prometheus's p99 per region beside the load tester's;
 * the 2014 claims and whether the world reproduces them; the round-trip table with its sources.
 */
public final class WorldReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final WorldRun.Result result;
    private final List<Claims.Check> claims;
    private final List<String> misrouted;

    private WorldReport(WorldRun.Result result, List<Claims.Check> claims, List<String> misrouted) {
        this.result = result;
        this.claims = claims;
        this.misrouted = misrouted;
    }

    public static WorldReport of(WorldRun.Result result) {
        Map<String, Claims.Percentiles> before = percentiles(result, "2014");
        Map<String, Claims.Percentiles> after = percentiles(result, "residency");
        return new WorldReport(result, Claims.check(before, after), misrouted(result));
    }

    public List<Claims.Check> claims() {
        return claims;
    }

    /** Every market not served exactly as its scenario expects (a wrong or missing region, an error). */
    public List<String> misrouted() {
        return misrouted;
    }

    static List<String> misrouted(WorldRun.Result result) {
        List<String> problems = new ArrayList<>();
        for (WorldRun.ScenarioResult scenario : result.scenarios()) {
            for (WorldRun.MarketResult market : scenario.markets()) {
                GroupReport total = market.report().total();
                Set<String> expected = scenario.scenario().expected().get(market.country());
                Set<String> served = new LinkedHashSet<>(total.servedBy().keySet());
                String where = scenario.scenario().name() + " " + market.country() + ": ";
                if (total.responses() == 0) {
                    problems.add(where + "no responses");
                } else if (!served.equals(expected)) {
                    problems.add(where + "served by " + total.servedBy() + ", expected " + expected);
                } else if (total.expectedMatches() != total.responses()) {
                    problems.add(where + (total.responses() - total.expectedMatches()) + " responses not from the region the rules give");
                }
                if (total.errors() > 0) {
                    problems.add(where + total.errors() + " errors (" + total.statuses() + ")");
                }
            }
        }
        return problems;
    }

    private static Map<String, Claims.Percentiles> percentiles(WorldRun.Result result, String scenario) {
        Map<String, Claims.Percentiles> byMarket = new LinkedHashMap<>();
        result.scenarios().stream().filter(s -> s.scenario().name().equals(scenario)).findFirst().ifPresent(s -> s.markets()
                .forEach(m -> byMarket.put(m.country(), new Claims.Percentiles(m.report().total().latency().p50(),
                        m.report().total().latency().p90(), m.report().total().latency().p99()))));
        return byMarket;
    }

    /** Writes world-report.html and world-report.json into {@code directory}; returns the HTML's path. */
    public Path write(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("world-report.json"), JSON.writeValueAsString(json()));
        Path html = directory.resolve("world-report.html");
        Files.writeString(html, html());
        return html;
    }

    Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("delay_method", result.delayMethod());
        root.put("seconds", result.seconds());
        root.put("server_time_ms", result.settings().serverTime().toMillis());
        root.put("rate_per_market", result.settings().ratePerMarket());
        root.put("duration_seconds", result.settings().duration().toSeconds());
        List<Object> scenarios = new ArrayList<>();
        for (WorldRun.ScenarioResult scenario : result.scenarios()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", scenario.scenario().name());
            s.put("title", scenario.scenario().title());
            s.put("prometheus_p99_ms_by_region", scale(scenario.prometheusP99Seconds()));
            List<Object> markets = new ArrayList<>();
            for (WorldRun.MarketResult market : scenario.markets()) {
                GroupReport total = market.report().total();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("market", market.country());
                m.put("edge", market.edge());
                m.put("dns_answer", market.dnsAnswer());
                m.put("rtt_to_edge_ms", market.toEdge().milliseconds());
                m.put("served_by", total.servedBy());
                m.put("expected", scenario.scenario().expected().get(market.country()));
                m.put("requests", total.requests());
                m.put("errors", total.errors());
                m.put("p50_ms", total.latency().p50());
                m.put("p90_ms", total.latency().p90());
                m.put("p99_ms", total.latency().p99());
                markets.add(m);
            }
            s.put("markets", markets);
            scenarios.add(s);
        }
        root.put("scenarios", scenarios);
        List<Object> checks = new ArrayList<>();
        for (Claims.Check check : claims) {
            checks.add(Map.of("claim", check.claim(), "market", check.market(), "measured", check.measured(),
                    "verdict", check.verdict().name().toLowerCase(Locale.ROOT)));
        }
        root.put("claims", checks);
        root.put("misrouted", misrouted);
        return root;
    }

    private static Map<String, Double> scale(Map<String, Double> seconds) {
        Map<String, Double> ms = new LinkedHashMap<>();
        seconds.forEach((k, v) -> ms.put(k, Math.round(v * 10_000) / 10.0));
        return ms;
    }

    String html() {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html lang=en><meta charset=utf-8><title>Homeport world: what residency bought</title><style>")
                .append("body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}")
                .append("table{border-collapse:collapse;margin:.6em 0 1.4em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
                .append("th{background:#f3f3f3}td.l,th.l{text-align:left}.ok{background:#e6f4e6}.mid{background:#fff5d6}.bad{background:#fbe3e3}")
                .append(".note{color:#555}</style>");
        h.append("<h1>Homeport world: what residency bought</h1>");
        h.append("<p class=note>Regions beijing, singapore and us, each with a backend taking ")
                .append(result.settings().serverTime().toMillis()).append(" ms and an edge Homeport beside it; phones of each market resolve ")
                .append("<code>api.").append(WorldRun.ZONE).append("</code> through PowerDNS's GeoIP backend (EDNS Client Subnet of the market's ")
                .append("network) and reach the edge it names over their own delay link, presenting real addresses of their country. ")
                .append("Delays: ").append(esc(result.delayMethod())).append(", each direction half the round trip of the table below. ")
                .append("Load: open model, ").append(num(result.settings().ratePerMarket())).append(" requests/s from every market for ")
                .append(result.settings().duration().toSeconds()).append(" s a scenario after a ")
                .append(result.settings().warmup().toSeconds()).append(" s warm-up, keep-alive connections, the same clients and arrivals in ")
                .append("every scenario. Latency is from each request's intended start. Run took ").append(num(result.seconds())).append(" s.</p>");

        if (!misrouted.isEmpty()) {
            h.append("<p class=bad>NOT AS EXPECTED:</p><ul>");
            misrouted.forEach(m -> h.append("<li>").append(esc(m)));
            h.append("</ul>");
        } else {
            h.append("<p class=ok>Every market was served by its expected region in every scenario, with no errors.</p>");
        }

        h.append("<h2>The 2014 claims</h2><table><tr><th class=l>claim<th>market<th class=l>the world measured (2014 → residency)<th class=l>verdict");
        for (Claims.Check check : claims) {
            String css = switch (check.verdict()) {
                case REPRODUCED -> "ok";
                case DIRECTION_ONLY -> "mid";
                case NOT_REPRODUCED -> "bad";
            };
            h.append("<tr><td class=l>").append(esc(check.claim())).append("<td>").append(check.market()).append("<td class=l>")
                    .append(esc(check.measured())).append("<td class='l ").append(css).append("'>").append(check.verdict().text());
        }
        h.append("</table><p class=note>Rough size: within a factor of two of the claimed figure (for a speed-up, of the time saved; ")
                .append("for a range, of its ends). A photo sync is taken as a run of requests one after another, so its time scales with a request's p50.</p>");

        h.append("<h2>Per market: p50 / p90 / p99 (ms)</h2><table><tr><th class=l>market");
        for (WorldRun.ScenarioResult scenario : result.scenarios()) {
            h.append("<th>").append(esc(scenario.scenario().name()));
        }
        for (WorldPlan.Market market : WorldPlan.MARKETS) {
            h.append("<tr><td class=l>").append(market.country()).append(" (").append(esc(market.city())).append(")");
            for (WorldRun.ScenarioResult scenario : result.scenarios()) {
                scenario.markets().stream().filter(m -> m.country().equals(market.country())).findFirst().ifPresentOrElse(m -> {
                    var latency = m.report().total().latency();
                    h.append("<td>").append(num(latency.p50())).append(" / ").append(num(latency.p90())).append(" / ").append(num(latency.p99()))
                            .append("<br><span class=note>edge ").append(m.edge()).append(" → ")
                            .append(esc(String.join("+", m.report().total().servedBy().keySet()))).append("</span>");
                }, () -> h.append("<td>"));
            }
        }
        h.append("</table>");

        for (WorldRun.ScenarioResult scenario : result.scenarios()) {
            h.append("<h3>").append(esc(scenario.scenario().name())).append(": ").append(esc(scenario.scenario().title())).append("</h3>");
            h.append("<table><tr><th class=l>market<th class=l>DNS answer (edge)<th>round trip to edge<th class=l>served by (requests)")
                    .append("<th>edge→region round trip<th>requests<th>errors<th>p50<th>p90<th>p99");
            for (WorldRun.MarketResult m : scenario.markets()) {
                GroupReport total = m.report().total();
                StringBuilder regions = new StringBuilder();
                total.servedBy().keySet().forEach(region -> {
                    LatencyTable.RoundTrip trip = m.edgeToRegion().get(region);
                    regions.append(regions.length() == 0 ? "" : ", ").append(region).append(' ').append(trip == null ? "?" : num(trip.milliseconds()));
                });
                h.append("<tr><td class=l>").append(m.country()).append("<td class=l>").append(esc(String.join(", ", m.dnsAnswer())))
                        .append(" (").append(m.edge()).append(")<td>").append(num(m.toEdge().milliseconds()))
                        .append(m.toEdge().measured() ? "" : "*").append("<td class=l>").append(esc(total.servedBy().toString()))
                        .append("<td>").append(regions).append("<td>").append(total.requests()).append("<td>").append(total.errors())
                        .append("<td>").append(num(total.latency().p50())).append("<td>").append(num(total.latency().p90()))
                        .append("<td>").append(num(total.latency().p99()));
            }
            h.append("</table><p class=note>Prometheus (scraping the edges every second), p99 of <code>homeport_request_duration_seconds</code> by ")
                    .append("serving region — the edge's own view, from the request's first byte at the edge to its last byte out, so without the ")
                    .append("phone-to-edge round trip the load tester includes: ");
            scale(scenario.prometheusP99Seconds()).forEach((region, ms) -> h.append(esc(region)).append(' ').append(num(ms)).append(" ms; "));
            h.append("load tester p99 per serving region: ");
            Map<String, Double> worst = new LinkedHashMap<>();
            for (WorldRun.MarketResult m : scenario.markets()) {
                for (GroupReport region : m.report().regions()) {
                    worst.merge(region.name(), region.latency().p99(), Math::max);
                }
            }
            worst.forEach((region, ms) -> h.append(esc(region)).append(" (worst market) ").append(num(ms)).append(" ms; "));
            if (!scenario.reloadChanges().isEmpty()) {
                h.append("<br>rules change applied by hot reload: ").append(esc(String.join("; ", scenario.reloadChanges())));
            }
            h.append("</p>");
        }

        h.append("<h2>Round trips used</h2><p class=note>From ").append(esc(result.settings().latency().origin()))
                .append(". Measured rows cite their source; rows marked * are ESTIMATES (great-circle distance at 200 km/ms, times ")
                .append(String.format(Locale.ROOT, "%.2f", result.settings().latency().stretch()))
                .append(", the median stretch of the measured rows): no public table readable from the build machine covers Beijing, ")
                .append("Taipei, Kuala Lumpur or Jakarta. Real paths into and out of mainland China are often longer than distance says, ")
                .append("so the estimates flatter 2014. deploy/world/README.md says how to supply measured values.</p>");
        h.append("<table><tr><th class=l>from<th class=l>to<th>round trip (ms)<th class=l>source");
        Set<String> seen = new LinkedHashSet<>();
        for (WorldPlan.Market market : WorldPlan.MARKETS) {
            for (WorldPlan.Site site : WorldPlan.SITES) {
                row(h, seen, result.settings().latency().between(market.city(), site.city()));
            }
        }
        for (WorldPlan.Site a : WorldPlan.SITES) {
            for (WorldPlan.Site b : WorldPlan.SITES) {
                row(h, seen, result.settings().latency().between(a.city(), b.city()));
            }
        }
        h.append("</table></html>\n");
        return h.toString();
    }

    private static void row(StringBuilder h, Set<String> seen, LatencyTable.RoundTrip trip) {
        String key = trip.from().compareTo(trip.to()) <= 0 ? trip.from() + "|" + trip.to() : trip.to() + "|" + trip.from();
        if (!seen.add(key)) {
            return;
        }
        h.append("<tr><td class=l>").append(esc(trip.from())).append("<td class=l>").append(esc(trip.to())).append("<td>")
                .append(num(trip.milliseconds())).append(trip.measured() ? "" : "*").append("<td class=l>").append(esc(trip.source()));
    }

    private static String num(double value) {
        return Double.isNaN(value) ? "–" : value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String esc(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
