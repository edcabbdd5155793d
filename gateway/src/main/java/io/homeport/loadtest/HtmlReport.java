package io.homeport.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report for people: one self-contained HTML file (inline CSS and SVG, no script, nothing
 * fetched) with a p50/p99 bar chart per market, latency-by-percentile charts (all markets
 * together, then one per market), and the tables of the text report.
 */
public final class HtmlReport {

    private static final String STYLE = """
            body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}
            h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px}
            .run{color:#555;font-size:13px;line-height:1.5}
            .kpis{display:flex;gap:28px;flex-wrap:wrap;margin:16px 0}
            .kpi b{display:block;font-size:22px}.kpi span{color:#555;font-size:12px}
            .grid{display:flex;flex-wrap:wrap;gap:12px}
            table{border-collapse:collapse;font-size:13px}
            th,td{padding:4px 10px;border-bottom:1px solid #e5e5e5;text-align:right}
            th:first-child,td:first-child,td.text{text-align:left}
            tr.total td{font-weight:bold;border-top:2px solid #999}
            .bad{color:#b00020;font-weight:bold}
            """;

    private HtmlReport() {}

    public static void write(LoadReport report, Path file) throws IOException {
        Files.writeString(file, render(report));
    }

    public static String render(LoadReport report) {
        LoadReport.Run run = report.run();
        GroupReport total = report.total();
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>Homeport load test: ")
                .append(Html.escape(run.url())).append("</title><style>").append(STYLE).append("</style></head><body>\n");
        html.append("<h1>Homeport load test of ").append(Html.escape(run.url())).append("</h1>\n");
        html.append("<div class='run'>").append(Html.escape(run.model())).append(" for ").append(Reports.number(run.plannedSeconds()))
                .append(" s").append(Html.escape(TextReport.warmup(run)))
                .append(" over ").append(run.connections()).append(" connections; started ").append(Html.escape(run.startedAt().toString()))
                .append("<br>mix ").append(Html.escape(run.mix())).append("; user ids ").append(run.userIds() ? "yes" : "no")
                .append("<br>expected regions from rules ").append(Html.escape(run.rules())).append(" and GeoIP ")
                .append(Html.escape(run.geoip()))
                .append("<br>latency is measured from each request's intended start (no coordinated omission)</div>\n");

        html.append("<div class='kpis'>");
        kpi(html, Long.toString(total.requests()), "requests");
        kpi(html, Reports.number(Math.round(report.achievedRate())), "req/s achieved");
        kpi(html, Long.toString(total.errors()), String.format(Locale.ROOT, "errors (%d non-2xx, %d timeouts, %d connection)",
                total.httpErrors(), total.timeouts(), total.connectionErrors()));
        kpi(html, Reports.percent(total.expectedShare()), "routed to the expected region");
        kpi(html, Reports.millis(total.latency().p50()) + " / " + Reports.millis(total.latency().p99()), "p50 / p99 ms");
        html.append("</div>\n");

        html.append("<h2>p50 and p99 by market</h2>\n")
                .append(SvgCharts.barChart("p50 and p99 latency by market (ms)", report.markets(), 900, 300)).append('\n');

        List<SvgCharts.Series> all = new ArrayList<>();
        for (int i = 0; i < report.markets().size(); i++) {
            GroupReport market = report.markets().get(i);
            all.add(new SvgCharts.Series(market.name(), SvgCharts.color(i), market.distribution()));
        }
        html.append("<h2>Latency by percentile</h2>\n")
                .append(SvgCharts.percentileChart("All markets", all, nines(total.requests()), 900, 360)).append('\n');
        html.append("<div class='grid'>\n");
        for (int i = 0; i < report.markets().size(); i++) {
            GroupReport market = report.markets().get(i);
            html.append(SvgCharts.percentileChart(market.name() + " (" + market.requests() + " requests)", List.of(all.get(i)),
                    nines(market.requests()), 440, 260)).append('\n');
        }
        html.append("</div>\n");

        List<SvgCharts.TimeLine> p99 = new ArrayList<>();
        List<SvgCharts.TimeLine> rate = new ArrayList<>();
        for (int i = 0; i < report.series().size(); i++) {
            TimeSeries group = report.series().get(i);
            int[] seconds = group.seconds().stream().mapToInt(TimeSeries.Second::second).toArray();
            String color = group.group().equals("all") ? "#111111" : SvgCharts.color(i - 1);
            p99.add(new SvgCharts.TimeLine(group.group(), color, seconds,
                    group.seconds().stream().mapToDouble(TimeSeries.Second::p99Ms).toArray()));
            rate.add(new SvgCharts.TimeLine(group.group(), color, seconds,
                    group.seconds().stream().mapToDouble(second -> second.requests()).toArray()));
        }
        if (!p99.isEmpty()) {
            html.append("<h2>Second by second (by intended start; all in black)</h2>\n")
                    .append(SvgCharts.timeChart("p99 each second (ms)", "ms", p99, 900, 300)).append('\n')
                    .append(SvgCharts.timeChart("Requests each second", "requests", rate, 900, 300)).append('\n');
        }

        html.append("<h2>By market</h2>\n").append(table(report.markets(), total, true));
        html.append("<h2>By serving region</h2>\n").append(table(report.regions(), total, false));
        html.append("</body></html>\n");
        return html.toString();
    }

    /** How far into the tail the chart goes: no further than the request count can say anything about. */
    static int nines(long requests) {
        return (int) Math.max(1, Math.min(5, Math.floor(Math.log10(Math.max(1, requests)))));
    }

    private static void kpi(StringBuilder html, String value, String label) {
        html.append("<div class='kpi'><b>").append(Html.escape(value)).append("</b><span>").append(Html.escape(label))
                .append("</span></div>");
    }

    private static String table(List<GroupReport> groups, GroupReport total, boolean markets) {
        StringBuilder html = new StringBuilder("<table><tr><th>").append(markets ? "market" : "region")
                .append("</th><th>requests</th><th>errors</th><th>non-2xx</th><th>timeouts</th><th>connection</th><th>statuses</th>")
                .append("<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th>");
        html.append(markets ? "<th>expected region</th><th>as expected</th><th>served by</th>" : "<th>as expected</th>");
        html.append("</tr>\n");
        for (GroupReport group : groups) {
            row(html, group, markets, "");
        }
        row(html, total, markets, " class='total'");
        return html.append("</table>\n").toString();
    }

    private static void row(StringBuilder html, GroupReport group, boolean markets, String rowClass) {
        LatencySummary latency = group.latency();
        html.append("<tr").append(rowClass).append("><td>").append(Html.escape(group.name())).append("</td>");
        cell(html, Long.toString(group.requests()));
        html.append(group.errors() > 0 ? "<td class='bad'>" : "<td>").append(group.errors()).append("</td>");
        cell(html, Long.toString(group.httpErrors()));
        cell(html, Long.toString(group.timeouts()));
        cell(html, Long.toString(group.connectionErrors()));
        html.append("<td class='text'>").append(Html.escape(statuses(group))).append("</td>");
        for (double ms : new double[] {latency.p50(), latency.p90(), latency.p99(), latency.p999(), latency.max()}) {
            cell(html, Reports.millis(ms));
        }
        if (markets) {
            html.append("<td class='text'>").append(Html.escape(ExpectedRegions.shares(group.expectedRegions()))).append("</td>");
        }
        boolean mismatch = !Double.isNaN(group.expectedShare()) && group.expectedShare() < 1;
        html.append(mismatch ? "<td class='bad'>" : "<td>").append(Reports.percent(group.expectedShare())).append("</td>");
        if (markets) {
            html.append("<td class='text'>")
                    .append(Html.escape(group.servedBy().isEmpty() ? "-" : ExpectedRegions.shares(group.servedBy()))).append("</td>");
        }
        html.append("</tr>\n");
    }

    /** "200 ×990, 503 ×3": every status the group's responses had. */
    private static String statuses(GroupReport group) {
        if (group.statuses().isEmpty()) {
            return "-";
        }
        StringBuilder text = new StringBuilder();
        group.statuses().forEach((status, count) -> text.append(text.length() == 0 ? "" : ", ").append(status).append(" ×").append(count));
        return text.toString();
    }

    private static void cell(StringBuilder html, String value) {
        html.append("<td>").append(Html.escape(value)).append("</td>");
    }
}
