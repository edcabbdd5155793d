package io.homeport.loadtest;

import java.util.List;
import java.util.Locale;

/** The report on standard output: what ran, then one table per market and one per serving region. */
public final class TextReport {

    private TextReport() {}

    public static String render(LoadReport report) {
        LoadReport.Run run = report.run();
        GroupReport total = report.total();
        StringBuilder text = new StringBuilder();
        text.append("Homeport load test of ").append(run.url()).append('\n');
        text.append(String.format(Locale.ROOT, "  %s for %s s%s over %d connections; mix %s; user ids %s%n", run.model(),
                Reports.number(run.plannedSeconds()), warmup(run), run.connections(), run.mix(), run.userIds() ? "yes" : "no"));
        text.append(String.format(Locale.ROOT, "  %d priming requests opened the connections first (in no figure)%n",
                run.primingRequests()));
        text.append(String.format(Locale.ROOT,
                "  %d requests in %.2f s (%s req/s); errors %d (%d non-2xx, %d timeouts, %d connection); routed as expected %s%n",
                total.requests(), report.elapsedSeconds(), Reports.number(Math.round(report.achievedRate())), total.errors(),
                total.httpErrors(), total.timeouts(), total.connectionErrors(), Reports.percent(total.expectedShare())));
        text.append("  latency in ms, from each request's intended start (no coordinated omission)\n\n");
        text.append(table("market", report.markets(), total, true)).append('\n');
        text.append(table("region", report.regions(), total, false));
        return text.toString();
    }

    static String warmup(LoadReport.Run run) {
        return run.warmupSeconds() > 0 ? " (after a " + Reports.number(run.warmupSeconds()) + " s warm-up)" : "";
    }

    private static String table(String groupName, List<GroupReport> groups, GroupReport total, boolean markets) {
        TextTable table = markets
                ? new TextTable(groupName, "requests>", "errors>", "p50>", "p90>", "p99>", "p99.9>", "max>", "expected region",
                        "as expected>", "served by")
                : new TextTable(groupName, "requests>", "errors>", "p50>", "p90>", "p99>", "p99.9>", "max>", "as expected>");
        for (GroupReport group : groups) {
            add(table, group, markets);
        }
        add(table, total, markets);
        return table.render();
    }

    private static void add(TextTable table, GroupReport group, boolean markets) {
        LatencySummary latency = group.latency();
        String[] common = {group.name(), Long.toString(group.requests()), Long.toString(group.errors()),
            Reports.millis(latency.p50()), Reports.millis(latency.p90()), Reports.millis(latency.p99()),
            Reports.millis(latency.p999()), Reports.millis(latency.max())};
        if (markets) {
            table.row(concat(common, ExpectedRegions.shares(group.expectedRegions()), Reports.percent(group.expectedShare()),
                    group.servedBy().isEmpty() ? "-" : ExpectedRegions.shares(group.servedBy())));
        } else {
            table.row(concat(common, Reports.percent(group.expectedShare())));
        }
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }
}
