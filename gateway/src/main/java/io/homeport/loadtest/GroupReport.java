package io.homeport.loadtest;

import java.util.List;
import java.util.Map;

/**
 * The results of one group of requests (a market, a serving region, or all of them).
 *
 * @param responses requests that got an HTTP response, whatever its status
 * @param expectedMatches responses whose {@code X-Homeport-Region} is the region the rules give
 * @param expectedRegions requests per region the rules give for them
 * @param servedBy responses per serving region ({@code "(none)"} for a response without the header)
 * @param statuses responses per HTTP status
 * @param latency every request except connection errors, from its intended start
 * @param distribution the latency by percentile, for charts
 */
public record GroupReport(
        String name,
        long requests,
        long ok,
        long httpErrors,
        long timeouts,
        long connectionErrors,
        long responses,
        long expectedMatches,
        Map<String, Long> expectedRegions,
        Map<String, Long> servedBy,
        Map<Integer, Long> statuses,
        LatencySummary latency,
        List<PercentilePoint> distribution) {

    public long errors() {
        return httpErrors + timeouts + connectionErrors;
    }

    /** The share of responses served by the expected region, 0..1; NaN without responses. */
    public double expectedShare() {
        return responses == 0 ? Double.NaN : (double) expectedMatches / responses;
    }
}
