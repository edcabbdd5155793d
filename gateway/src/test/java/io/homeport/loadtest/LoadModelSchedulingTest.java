package io.homeport.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The open model's promise: requests start on schedule whatever the gateway does, and latency is
 * measured from the scheduled start, so a stall shows in every request queued behind it (no
 * coordinated omission). Run on simulated time: deterministic, and instant.
 */
class LoadModelSchedulingTest {

    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    static final Client CLIENT = new Client("US", "8.8.8.8", null, "us");

    SimulatedTime time;
    RequestDispatcher dispatcher;
    List<Completion> completions;

    @BeforeEach
    void world() {
        time = new SimulatedTime();
        dispatcher = new RequestDispatcher(time, 10_000 * MS, 1000);
        completions = new ArrayList<>();
        dispatcher.onCompletion(completions::add);
    }

    @Test
    void theScheduleSpacesRequestsEvenlyFromItsStart() {
        ArrivalSchedule schedule = ArrivalSchedule.of(5 * MS, 2000, Duration.ofSeconds(3));

        assertThat(schedule.count()).isEqualTo(6000);
        assertThat(schedule.intendedStart(0)).isEqualTo(5 * MS);
        assertThat(schedule.intendedStart(1)).isEqualTo(5 * MS + 500_000);
        assertThat(schedule.intendedStart(5999)).isEqualTo(5 * MS + 5999 * 500_000L);
        assertThat(ArrivalSchedule.of(0, 3, Duration.ofMillis(500)).count()).isEqualTo(1);
    }

    @Test
    void requestsAreSentAtTheirIntendedStartWhenTheGatewayKeepsUp() throws Exception {
        SimulatedConnection connection = new SimulatedConnection(time, dispatcher, n -> MS / 10);
        dispatcher.ready(connection);

        long submitted = openLoop(1000, 10).run();
        time.runAll();

        assertThat(submitted).isEqualTo(10);
        assertThat(connection.sentAt).containsExactly(0L, MS, 2 * MS, 3 * MS, 4 * MS, 5 * MS, 6 * MS, 7 * MS, 8 * MS, 9 * MS);
        assertThat(completions).extracting(c -> c.request().intendedStartNanos()).containsExactlyElementsOf(connection.sentAt);
        assertThat(completions).extracting(Completion::latencyNanos).containsOnly(MS / 10);
    }

    @Test
    void aStalledResponseInflatesTheLatencyOfEveryRequestQueuedBehindIt() throws Exception {
        // One connection; the first response takes 50 ms, every later one 1 ms.
        SimulatedConnection connection = new SimulatedConnection(time, dispatcher, n -> n == 0 ? 50 * MS : MS);
        dispatcher.ready(connection);

        openLoop(1000, 10).run();
        time.runAll();

        // Request k was meant to start at k ms, was sent at 50 + (k - 1) ms and ended at 50 + k ms.
        assertThat(connection.sentAt.get(1)).isEqualTo(50 * MS);
        assertThat(completions).hasSize(10);
        for (Completion completion : completions) {
            assertThat(completion.latencyNanos()).as("measured from the intended start, not from sending").isEqualTo(50 * MS);
        }
        // What a tool timing from the send would have reported for requests 1..9: 1 ms.
        assertThat(completions.get(9).completedNanos() - connection.sentAt.get(9)).isEqualTo(MS);

        ResultRecorder recorder = new ResultRecorder(MarketMix.parse("US=1"), 0);
        completions.forEach(recorder);
        assertThat(recorder.total().latency().p50()).isEqualTo(recorder.total().latency().p99()).isBetween(49.9, 50.1);
    }

    @Test
    void theSchedulerDoesNotWaitForResponsesBeforeSubmittingTheNextRequest() throws Exception {
        SimulatedConnection connection = new SimulatedConnection(time, dispatcher, n -> 1000 * MS);
        dispatcher.ready(connection);

        openLoop(1000, 10).run();

        assertThat(time.read()).isEqualTo(9 * MS);
        assertThat(dispatcher.submittedCount()).isEqualTo(10);
        assertThat(dispatcher.queuedCount()).isEqualTo(9);
    }

    @Test
    void aSchedulerThatWakesLateCountsItsLatenessInTheLatency() throws Exception {
        SimulatedConnection connection = new SimulatedConnection(time, dispatcher, n -> 0);
        dispatcher.ready(connection);
        time.wakeLateBy(5 * MS);

        openLoop(1000, 7).run();
        time.runAll();

        // Request 0 at 0; then the scheduler sleeps for request 1 and wakes at 6 ms: requests 1..6 go at once.
        assertThat(completions).extracting(Completion::latencyNanos).containsExactly(0L, 5 * MS, 4 * MS, 3 * MS, 2 * MS, MS, 0L);
    }

    @Test
    void aRequestQueuedLongerThanTheTimeoutEndsAsATimeoutWithoutBeingSent() {
        RequestDispatcher impatient = new RequestDispatcher(time, 20 * MS, 1000);
        List<Completion> ended = new ArrayList<>();
        impatient.onCompletion(ended::add);
        SimulatedConnection connection = new SimulatedConnection(time, impatient, n -> 30 * MS);
        impatient.ready(connection);

        impatient.submit(new PlannedRequest(0, CLIENT));       // sent at once, ends at 30 ms
        impatient.submit(new PlannedRequest(0, CLIENT));       // queued; 30 ms old when the connection frees
        impatient.submit(new PlannedRequest(15 * MS, CLIENT)); // queued; 15 ms old then: sent
        time.runAll();

        assertThat(connection.sentAt).containsExactly(0L, 30 * MS);
        assertThat(ended).extracting(Completion::outcome).containsExactly(Completion.Outcome.OK, Completion.Outcome.TIMEOUT,
                Completion.Outcome.OK);
        assertThat(ended.get(1).latencyNanos()).isEqualTo(30 * MS);
        assertThat(impatient.outstanding()).isZero();
    }

    @Test
    void aFullQueueEndsItsOldestRequestAsATimeout() {
        RequestDispatcher bounded = new RequestDispatcher(time, 20 * MS, 2);
        List<Completion> ended = new ArrayList<>();
        bounded.onCompletion(ended::add);
        bounded.ready(new SimulatedConnection(time, bounded, n -> 1000 * MS));

        for (int i = 0; i < 5; i++) {
            bounded.submit(new PlannedRequest(i * MS, CLIENT)); // the first is sent, the rest queue
        }

        assertThat(bounded.queuedCount()).isEqualTo(2);
        assertThat(ended).extracting(c -> c.request().intendedStartNanos()).containsExactly(MS, 2 * MS);
        assertThat(ended).extracting(Completion::outcome).containsOnly(Completion.Outcome.TIMEOUT);
        assertThat(RequestDispatcher.queueBound(50_000, 5_000 * MS)).isEqualTo(500_000);
        assertThat(RequestDispatcher.queueBound(10, 5_000 * MS)).isEqualTo(100_000);
    }

    @Test
    void theClosedModelKeepsEachUserWaitingForItsResponse() {
        // Two users share one connection with 10 ms responses: each request waits 10 ms for the other user's.
        SimulatedConnection connection = new SimulatedConnection(time, dispatcher, n -> 10 * MS);
        dispatcher.ready(connection);
        ClosedLoopDriver driver = new ClosedLoopDriver(2, 100 * MS, () -> CLIENT, dispatcher, time);

        driver.start();
        time.runAll();

        assertThat(completions).hasSize(11); // one every 10 ms until 100 ms, then the one in flight
        assertThat(completions.get(0).latencyNanos()).isEqualTo(10 * MS);
        assertThat(completions.subList(1, completions.size())).extracting(Completion::latencyNanos).containsOnly(20 * MS);
        assertThat(dispatcher.outstanding()).isZero();
    }

    private OpenLoopDriver openLoop(double perSecond, long count) {
        return new OpenLoopDriver(new ArrivalSchedule(0, perSecond, count), () -> CLIENT, dispatcher, time, time);
    }
}
