package io.homeport.loadtest;

import java.time.Instant;
import java.util.List;

/**
 * Everything a run found, ready for the text, JSON and HTML reports.
 *
 * @param elapsedSeconds from the first intended start until the last request ended
 * @param series second by second, all requests and each market
 */
public record LoadReport(Run run, double elapsedSeconds, GroupReport total, List<GroupReport> markets,
        List<GroupReport> regions, List<TimeSeries> series) {

    /**
     * What was run: the settings as people read them ({@code model}, {@code mix}) and as programs
     * do ({@code loadModel}, {@code marketMix}).
     *
     * @param primingRequests requests sent before the warm-up to open every connection, in no figure
     */
    public record Run(Instant startedAt, String url, String model, double warmupSeconds, double plannedSeconds, int connections,
            String mix, boolean userIds, String rules, String geoip, LoadModel loadModel, MarketMix marketMix,
            boolean stoppedEarly, int primingRequests) {}

    /** Requests completed per second over the whole run. */
    public double achievedRate() {
        return elapsedSeconds <= 0 ? 0 : total.requests() / elapsedSeconds;
    }
}
