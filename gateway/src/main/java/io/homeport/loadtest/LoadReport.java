package io.homeport.loadtest;

import java.time.Instant;
import java.util.List;

/**
 * Everything a run found, ready for the text, JSON and HTML reports.
 *
 * @param elapsedSeconds from the first intended start until the last request ended
 */
public record LoadReport(Run run, double elapsedSeconds, GroupReport total, List<GroupReport> markets,
        List<GroupReport> regions) {

    /** What was run: the settings as people read them. */
    public record Run(Instant startedAt, String url, String model, double warmupSeconds, double plannedSeconds, int connections,
            String mix, boolean userIds, String rules, String geoip) {}

    /** Requests completed per second over the whole run. */
    public double achievedRate() {
        return elapsedSeconds <= 0 ? 0 : total.requests() / elapsedSeconds;
    }
}
