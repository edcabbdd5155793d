package io.homeport.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pass/fail line for a run, as k6 has them: {@code GROUP:METRIC<LIMIT}, where GROUP is a market
 * (a country code of the mix), a serving region, or {@code all}; METRIC a latency percentile
 * ({@code p50}, {@code p90}, {@code p99}, {@code p99.9}, {@code max}, {@code mean}; LIMIT in
 * {@code ms} or {@code s}) or a share of requests ({@code errors}, {@code wrong_region}; LIMIT in
 * {@code %}). A run with a failed threshold exits {@link #EXIT_CODE}.
 */
public record Threshold(String text, String group, Metric metric, double limit) {

    /** The exit code of a run whose thresholds are not all met (k6's). */
    public static final int EXIT_CODE = 99;

    public enum Metric {
        P50("p50", true), P90("p90", true), P99("p99", true), P999("p99.9", true), MAX("max", true), MEAN("mean", true),
        ERRORS("errors", false), WRONG_REGION("wrong_region", false);

        final String label;
        final boolean latency;

        Metric(String label, boolean latency) {
            this.label = label;
            this.latency = latency;
        }

        /** This metric of {@code group}: milliseconds, or a share 0..1 (NaN when it has no requests). */
        double value(GroupReport group) {
            return switch (this) {
                case P50 -> group.latency().p50();
                case P90 -> group.latency().p90();
                case P99 -> group.latency().p99();
                case P999 -> group.latency().p999();
                case MAX -> group.latency().max();
                case MEAN -> group.latency().mean();
                case ERRORS -> group.requests() == 0 ? Double.NaN : (double) group.errors() / group.requests();
                case WRONG_REGION -> Double.isNaN(group.expectedShare()) ? Double.NaN : 1 - group.expectedShare();
            };
        }

        public String label() {
            return label;
        }

        boolean isLatency() {
            return latency;
        }
    }

    /** One threshold's verdict on a run: the value measured, and whether it is under the limit. */
    public record Verdict(Threshold threshold, double value, boolean met, String note) {}

    private static final Pattern SYNTAX = Pattern.compile("([A-Za-z0-9_-]+):([a-z0-9._]+)<(\\d+(?:\\.\\d+)?)(ms|s|%)?");

    /** Parses {@code IN:p99<400ms}; throws IllegalArgumentException with what was expected. */
    public static Threshold parse(String text) {
        Matcher matcher = SYNTAX.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("--threshold " + text
                    + " (expected GROUP:METRIC<LIMIT, e.g. IN:p99<400ms, all:errors<1%, singapore:wrong_region<0.1%)");
        }
        Metric metric = null;
        for (Metric candidate : Metric.values()) {
            if (candidate.label.equals(matcher.group(2))) {
                metric = candidate;
            }
        }
        if (metric == null) {
            throw new IllegalArgumentException("--threshold " + text + ": unknown metric " + matcher.group(2)
                    + " (expected p50, p90, p99, p99.9, max, mean, errors or wrong_region)");
        }
        String unit = matcher.group(4);
        double number = Double.parseDouble(matcher.group(3));
        double limit;
        if (metric.latency) {
            if (unit == null || unit.equals("%")) {
                throw new IllegalArgumentException("--threshold " + text + ": a latency limit needs ms or s");
            }
            limit = unit.equals("s") ? number * 1000 : number;
        } else {
            if (!"%".equals(unit)) {
                throw new IllegalArgumentException("--threshold " + text + ": a share needs %, e.g. errors<1%");
            }
            limit = number / 100;
        }
        return new Threshold(text.trim(), matcher.group(1), metric, limit);
    }

    /** Every threshold's verdict on {@code report}; a group the run did not have fails, saying so. */
    public static List<Verdict> evaluate(List<Threshold> thresholds, LoadReport report) {
        List<Verdict> verdicts = new ArrayList<>();
        for (Threshold threshold : thresholds) {
            Optional<GroupReport> group = find(report, threshold.group());
            if (group.isEmpty()) {
                verdicts.add(new Verdict(threshold, Double.NaN, false, "no group " + threshold.group() + " in this run"));
                continue;
            }
            double value = threshold.metric().value(group.get());
            boolean met = !Double.isNaN(value) && value < threshold.limit();
            verdicts.add(new Verdict(threshold, value, met, ""));
        }
        return verdicts;
    }

    /** {@code all}, a market or a region by its exact name; else a market whatever its case ({@code in} for IN). */
    private static Optional<GroupReport> find(LoadReport report, String name) {
        if (name.equals("all")) {
            return Optional.of(report.total());
        }
        Optional<GroupReport> exact = java.util.stream.Stream.concat(report.markets().stream(), report.regions().stream())
                .filter(group -> group.name().equals(name)).findFirst();
        return exact.isPresent() ? exact
                : report.markets().stream().filter(group -> group.name().equals(name.toUpperCase(Locale.ROOT))).findFirst();
    }
}
