package io.homeport.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Counts and latency histogram of one group of requests, as they complete. Not thread-safe: the
 * {@link ResultRecorder} owns it and serialises access.
 */
final class GroupStats {

    /** Percentile steps per halving of the remaining distribution: enough points for a smooth chart. */
    static final int TICKS_PER_HALF_DISTANCE = 5;

    static final String NO_REGION = "(none)";

    private final String name;
    // Microseconds with three significant digits (0.1% resolution); resizes itself for long stalls.
    private final Histogram latencyMicros = new Histogram(3);
    private final Map<String, Long> expectedRegions = new TreeMap<>();
    private final Map<String, Long> servedBy = new TreeMap<>();
    private final Map<Integer, Long> statuses = new TreeMap<>();
    private long requests;
    private long ok;
    private long httpErrors;
    private long timeouts;
    private long connectionErrors;
    private long expectedMatches;

    GroupStats(String name) {
        this.name = name;
    }

    void add(Completion completion) {
        requests++;
        expectedRegions.merge(completion.request().client().expectedRegion(), 1L, Long::sum);
        switch (completion.outcome()) {
            case OK -> ok++;
            case HTTP_ERROR -> httpErrors++;
            case TIMEOUT -> timeouts++;
            case CONNECTION_ERROR -> connectionErrors++;
        }
        if (completion.outcome().hasResponse()) {
            statuses.merge(completion.status(), 1L, Long::sum);
            servedBy.merge(completion.servedRegion() == null ? NO_REGION : completion.servedRegion(), 1L, Long::sum);
            if (completion.servedByExpectedRegion()) {
                expectedMatches++;
            }
        }
        // A connection error ends fast and says nothing about the gateway's speed: counted, not timed.
        // A timeout is timed: leaving it out would hide exactly the slowest requests.
        if (completion.outcome() != Completion.Outcome.CONNECTION_ERROR) {
            latencyMicros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(completion.latencyNanos())));
        }
    }

    long requests() {
        return requests;
    }

    long errors() {
        return httpErrors + timeouts + connectionErrors;
    }

    /** The latency at {@code percentile} so far, in milliseconds. */
    double latencyAt(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    GroupReport report() {
        return new GroupReport(name, requests, ok, httpErrors, timeouts, connectionErrors, ok + httpErrors, expectedMatches,
                Map.copyOf(expectedRegions), Map.copyOf(servedBy), java.util.Collections.unmodifiableMap(new TreeMap<>(statuses)),
                summary(), distribution());
    }

    private LatencySummary summary() {
        if (latencyMicros.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(latencyAt(50), latencyAt(90), latencyAt(99), latencyAt(99.9),
                latencyMicros.getMaxValue() / 1000.0, latencyMicros.getMean() / 1000.0);
    }

    private List<PercentilePoint> distribution() {
        List<PercentilePoint> points = new ArrayList<>();
        if (latencyMicros.getTotalCount() == 0) {
            return points;
        }
        for (HistogramIterationValue value : latencyMicros.percentiles(TICKS_PER_HALF_DISTANCE)) {
            points.add(new PercentilePoint(value.getPercentileLevelIteratedTo(), value.getValueIteratedTo() / 1000.0));
        }
        return points;
    }
}
