package io.homeport.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-second series: requests bucketed by intended start, errors and percentiles per second. */
class TimeSeriesTest {

    static final long START = 1_000_000_000_000L;

    private static PlannedRequest at(long offsetMillis, String market) {
        return new PlannedRequest(START + TimeUnit.MILLISECONDS.toNanos(offsetMillis),
                new Client(market, "1.2.3.4", null, "us"));
    }

    @Test
    void eachSecondHasItsCountsAndPercentiles() {
        ResultRecorder recorder = new ResultRecorder(MarketMix.parse("IN=50,CN=50"), START);
        // Second 0: 100 Indian requests of 10 ms. Second 1: 98 of 10 ms and two 2 s stalls, plus a
        // Chinese timeout. Second 3: one Chinese request (second 2 is empty).
        for (int i = 0; i < 100; i++) {
            PlannedRequest request = at(i * 5, "IN");
            recorder.accept(Completion.response(request, 200, "us", request.intendedStartNanos() + TimeUnit.MILLISECONDS.toNanos(10)));
        }
        for (int i = 0; i < 98; i++) {
            PlannedRequest request = at(1000 + i * 5, "IN");
            recorder.accept(Completion.response(request, 200, "us", request.intendedStartNanos() + TimeUnit.MILLISECONDS.toNanos(10)));
        }
        for (long offset : new long[] {1500, 1700}) {
            PlannedRequest stalled = at(offset, "IN");
            recorder.accept(Completion.response(stalled, 200, "us", stalled.intendedStartNanos() + TimeUnit.SECONDS.toNanos(2)));
        }
        PlannedRequest timedOut = at(1200, "CN");
        recorder.accept(Completion.failure(timedOut, Completion.Outcome.TIMEOUT, timedOut.intendedStartNanos() + TimeUnit.SECONDS.toNanos(5)));
        PlannedRequest late = at(3100, "CN");
        recorder.accept(Completion.response(late, 200, "us", late.intendedStartNanos() + TimeUnit.MILLISECONDS.toNanos(20)));

        List<TimeSeries> series = recorder.series();
        assertThat(series).extracting(TimeSeries::group).containsExactly("all", "IN", "CN");
        TimeSeries india = series.get(1);
        assertThat(india.seconds()).extracting(TimeSeries.Second::second).containsExactly(0, 1);
        assertThat(india.seconds().get(0).requests()).isEqualTo(100);
        assertThat(india.seconds().get(0).p99Ms()).isBetween(9.9, 10.1);
        assertThat(india.seconds().get(1).requests()).isEqualTo(100);
        assertThat(india.seconds().get(1).p50Ms()).isBetween(9.9, 10.1);
        assertThat(india.seconds().get(1).p99Ms()).as("the stall shows in its second").isBetween(1980.0, 2020.0);
        TimeSeries china = series.get(2);
        assertThat(china.seconds()).extracting(TimeSeries.Second::second).containsExactly(1, 3);
        assertThat(china.seconds().get(0).errors()).isEqualTo(1);
        assertThat(series.get(0).seconds()).extracting(TimeSeries.Second::requests).containsExactly(100L, 101L, 1L);

        LoadReport report = new LoadReport(new LoadReport.Run(Instant.EPOCH, "http://127.0.0.1:8080/", "open", 0, 4, 4, "IN=50,CN=50",
                false, "rules.yaml", "db", new LoadModel.FixedRate(50), MarketMix.parse("IN=50,CN=50"), false, 8), 4,
                recorder.total(), recorder.markets(), recorder.regions(), series);
        assertThat(JsonReport.render(report)).contains("\"series\"", "\"group\" : \"IN\"", "\"p99_ms\"");
        assertThat(HtmlReport.render(report)).contains("Second by second", "p99 each second (ms)", "Requests each second");
    }
}
