package io.homeport.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The report for machines: one JSON object with the run's settings, the totals, and per market and
 * per region the counts, latency percentiles (ms), routing share and full latency distribution.
 * Keys are snake_case, like the rest of Homeport's files.
 */
public final class JsonReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonReport() {}

    public static void write(LoadReport report, Path file) throws IOException {
        write(report, List.of(), file);
    }

    public static void write(LoadReport report, List<Threshold.Verdict> thresholds, Path file) throws IOException {
        Files.writeString(file, render(report, thresholds) + "\n");
    }

    public static String render(LoadReport report) {
        return render(report, List.of());
    }

    public static String render(LoadReport report, List<Threshold.Verdict> thresholds) {
        LoadReport.Run run = report.run();
        ObjectNode root = JSON.createObjectNode();
        root.put("started_at", run.startedAt().toString());
        root.put("url", run.url());
        ObjectNode model = root.putObject("model");
        if (run.loadModel() instanceof LoadModel.FixedRate rate) {
            model.put("kind", "open");
            model.put("rate_per_second", rate.perSecond());
        } else if (run.loadModel() instanceof LoadModel.FixedConcurrency closed) {
            model.put("kind", "closed");
            model.put("users", closed.users());
        }
        model.put("description", run.model());
        model.put("stopped_early", run.stoppedEarly());
        root.put("warmup_seconds", run.warmupSeconds());
        root.put("planned_seconds", run.plannedSeconds());
        root.put("elapsed_seconds", report.elapsedSeconds());
        root.put("achieved_rate", report.achievedRate());
        root.put("connections", run.connections());
        ObjectNode mix = root.putObject("mix");
        run.marketMix().weights().forEach(mix::put);
        ObjectNode priming = root.putObject("priming");
        priming.put("requests", run.primingRequests());
        priming.put("in_figures", false); // sent before the warm-up to open the connections
        root.put("user_ids", run.userIds());
        root.put("rules", run.rules());
        root.put("geoip", run.geoip());
        root.put("latency_measured_from", "intended start");
        root.set("total", group(report.total()));
        root.set("markets", groups(report.markets()));
        root.set("regions", groups(report.regions()));
        ArrayNode series = root.putArray("series");
        for (TimeSeries group : report.series()) {
            ObjectNode node = series.addObject();
            node.put("group", group.group());
            ArrayNode seconds = node.putArray("seconds");
            for (TimeSeries.Second second : group.seconds()) {
                ObjectNode point = seconds.addObject();
                point.put("second", second.second());
                point.put("requests", second.requests());
                point.put("errors", second.errors());
                point.put("p50_ms", second.p50Ms());
                point.put("p99_ms", second.p99Ms());
            }
        }
        if (!thresholds.isEmpty()) {
            ArrayNode verdicts = root.putArray("thresholds");
            for (Threshold.Verdict verdict : thresholds) {
                ObjectNode node = verdicts.addObject();
                node.put("threshold", verdict.threshold().text());
                node.put("group", verdict.threshold().group());
                node.put("metric", verdict.threshold().metric().label());
                node.put("limit", verdict.threshold().limit());
                node.put("unit", verdict.threshold().metric().isLatency() ? "ms" : "share");
                if (Double.isNaN(verdict.value())) {
                    node.putNull("value");
                } else {
                    node.put("value", verdict.value());
                }
                node.put("met", verdict.met());
                if (!verdict.note().isEmpty()) {
                    node.put("note", verdict.note());
                }
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot render the JSON report", e); // a tree of plain values always renders
        }
    }

    private static ArrayNode groups(List<GroupReport> groups) {
        ArrayNode array = JSON.createArrayNode();
        groups.forEach(group -> array.add(group(group)));
        return array;
    }

    private static ObjectNode group(GroupReport group) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", group.name());
        node.put("requests", group.requests());
        node.put("ok", group.ok());
        ObjectNode errors = node.putObject("errors");
        errors.put("total", group.errors());
        errors.put("http", group.httpErrors());
        errors.put("timeout", group.timeouts());
        errors.put("connection", group.connectionErrors());
        ObjectNode statuses = node.putObject("statuses");
        group.statuses().forEach((status, count) -> statuses.put(Integer.toString(status), count));
        node.put("responses", group.responses());
        if (Double.isNaN(group.expectedShare())) {
            node.putNull("expected_region_share");
        } else {
            node.put("expected_region_share", group.expectedShare());
        }
        counts(node.putObject("expected_regions"), group.expectedRegions());
        counts(node.putObject("served_by"), group.servedBy());
        ObjectNode latency = node.putObject("latency_ms");
        latency.put("p50", group.latency().p50());
        latency.put("p90", group.latency().p90());
        latency.put("p99", group.latency().p99());
        latency.put("p99_9", group.latency().p999());
        latency.put("max", group.latency().max());
        latency.put("mean", group.latency().mean());
        ArrayNode distribution = node.putArray("distribution");
        for (PercentilePoint point : group.distribution()) {
            ObjectNode item = distribution.addObject();
            item.put("percentile", point.percentile());
            item.put("latency_ms", point.latencyMs());
        }
        return node;
    }

    private static void counts(ObjectNode node, Map<String, Long> counts) {
        counts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> node.put(entry.getKey(), entry.getValue()));
    }
}
