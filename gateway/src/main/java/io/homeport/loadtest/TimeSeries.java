package io.homeport.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One group's figures second by second (by each request's intended start, from the measurement's
 * start): how many requests, how many failed, and their p50 and p99 — what shows a stall, a
 * reload or a migration step that a whole run's percentiles average away.
 */
public record TimeSeries(String group, List<Second> seconds) {

    /** One second of a group. Latencies in milliseconds; 0 when nothing in that second was timed. */
    public record Second(int second, long requests, long errors, double p50Ms, double p99Ms) {}

    /** Collects one group's seconds. Not thread-safe: the {@link ResultRecorder} serialises access. */
    static final class Recorder {
        private final String group;
        private final long startNanos;
        private final TreeMap<Integer, Bucket> seconds = new TreeMap<>();

        Recorder(String group, long startNanos) {
            this.group = group;
            this.startNanos = startNanos;
        }

        void add(Completion completion) {
            int second = (int) TimeUnit.NANOSECONDS.toSeconds(completion.request().intendedStartNanos() - startNanos);
            Bucket bucket = seconds.computeIfAbsent(second, s -> new Bucket());
            bucket.requests++;
            if (completion.outcome() != Completion.Outcome.OK) {
                bucket.errors++;
            }
            if (completion.outcome() != Completion.Outcome.CONNECTION_ERROR) { // as in GroupStats: counted, not timed
                bucket.latencyMicros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(completion.latencyNanos())));
            }
        }

        TimeSeries report() {
            List<Second> list = new ArrayList<>();
            for (Map.Entry<Integer, Bucket> entry : seconds.entrySet()) {
                Bucket bucket = entry.getValue();
                boolean timed = bucket.latencyMicros.getTotalCount() > 0;
                list.add(new Second(entry.getKey(), bucket.requests, bucket.errors,
                        timed ? bucket.latencyMicros.getValueAtPercentile(50) / 1000.0 : 0,
                        timed ? bucket.latencyMicros.getValueAtPercentile(99) / 1000.0 : 0));
            }
            return new TimeSeries(group, List.copyOf(list));
        }
    }

    private static final class Bucket {
        long requests;
        long errors;
        // Two significant digits (1%) is plenty for a per-second line, and keeps a long run's seconds small.
        final Histogram latencyMicros = new Histogram(2);
    }
}
