package io.homeport.loadtest;

/** The usual percentiles of a latency distribution, in milliseconds (0 when nothing was measured). */
public record LatencySummary(double p50, double p90, double p99, double p999, double max, double mean) {}
