package io.homeport.loadtest;

/** One point of a latency distribution: {@code percentile}% of requests took at most {@code latencyMs}. */
public record PercentilePoint(double percentile, double latencyMs) {}
