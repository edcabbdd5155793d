package io.homeport.loadtest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Records every completion three ways: by the client's market, by the region that served it, and
 * all together. Completions arrive from every I/O thread; one lock is plenty at tens of thousands
 * a second (a record is a few counter increments and a histogram bucket).
 */
final class ResultRecorder implements Consumer<Completion> {

    /** What the progress line shows: totals so far. */
    record Progress(long completed, long errors, double p99Ms) {}

    private final Map<String, GroupStats> markets = new LinkedHashMap<>();
    private final Map<String, GroupStats> regions = new TreeMap<>();
    private final GroupStats all = new GroupStats("all");
    private final Map<String, TimeSeries.Recorder> series = new LinkedHashMap<>();
    private long lastCompletionNanos;

    private final long measureFromNanos;

    /** Records requests meant to start at {@code measureFromNanos} or later; earlier ones are the warm-up. */
    ResultRecorder(MarketMix mix, long measureFromNanos) {
        this.measureFromNanos = measureFromNanos;
        series.put("all", new TimeSeries.Recorder("all", measureFromNanos));
        mix.weights().keySet().forEach(market -> {
            markets.put(market, new GroupStats(market));
            series.put(market, new TimeSeries.Recorder(market, measureFromNanos));
        });
    }

    @Override
    public synchronized void accept(Completion completion) {
        if (completion.request().intendedStartNanos() < measureFromNanos) {
            return;
        }
        markets.computeIfAbsent(completion.request().client().market(), GroupStats::new).add(completion);
        String region = completion.servedRegion() == null ? GroupStats.NO_REGION : completion.servedRegion();
        regions.computeIfAbsent(region, GroupStats::new).add(completion);
        all.add(completion);
        series.get("all").add(completion);
        series.computeIfAbsent(completion.request().client().market(), market -> new TimeSeries.Recorder(market, measureFromNanos))
                .add(completion);
        lastCompletionNanos = Math.max(lastCompletionNanos, completion.completedNanos());
    }

    /** When the last request ended, in ticker time (0 before any). */
    synchronized long lastCompletionNanos() {
        return lastCompletionNanos;
    }

    synchronized Progress progress() {
        return new Progress(all.requests(), all.errors(), all.latencyAt(99));
    }

    synchronized GroupReport total() {
        return all.report();
    }

    /** Per market, in the mix's order. */
    synchronized List<GroupReport> markets() {
        return markets.values().stream().map(GroupStats::report).toList();
    }

    /** Second by second: all requests first, then each market in the mix's order. */
    synchronized List<TimeSeries> series() {
        return series.values().stream().map(TimeSeries.Recorder::report).toList();
    }

    /** Per serving region, by name; requests that got no region header are under {@code "(none)"}. */
    synchronized List<GroupReport> regions() {
        return regions.values().stream().map(GroupStats::report).toList();
    }
}
