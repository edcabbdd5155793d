package io.homeport.loadtest;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The live line, once a second on standard error: elapsed time, requests per second over the last
 * second, errors and p99 so far, and what is in flight and queued (a growing queue means the target
 * or the pool cannot keep up with the offered rate).
 */
final class ProgressLine implements Runnable {

    private static final long JUST_STARTED_NANOS = 200_000_000;

    private final ResultRecorder recorder;
    private final RequestDispatcher dispatcher;
    private final Ticker ticker;
    private final long startNanos;
    private final PrintWriter out;
    private long lastNanos;
    private long lastCompleted;

    ProgressLine(ResultRecorder recorder, RequestDispatcher dispatcher, Ticker ticker, long startNanos, PrintWriter out) {
        this.recorder = recorder;
        this.dispatcher = dispatcher;
        this.ticker = ticker;
        this.startNanos = startNanos;
        this.out = out;
        this.lastNanos = startNanos;
    }

    @Override
    public void run() {
        String line = line();
        if (line != null) {
            out.println(line);
            out.flush();
        }
    }

    /** The line for now, or null at the very start of the measurement, when there is nothing to say yet. */
    String line() {
        long now = ticker.read();
        if (now >= startNanos && now - startNanos < JUST_STARTED_NANOS) {
            return null;
        }
        if (now < startNanos) {
            return String.format(Locale.ROOT, "warm-up, %.0fs left (not recorded)  in flight %d  queued %d",
                    Math.ceil((startNanos - now) / 1e9), dispatcher.outstanding() - dispatcher.queuedCount(), dispatcher.queuedCount());
        }
        ResultRecorder.Progress progress = recorder.progress();
        double rate = now > lastNanos ? (progress.completed() - lastCompleted) * 1e9 / (now - lastNanos) : 0;
        lastNanos = now;
        lastCompleted = progress.completed();
        long outstanding = dispatcher.outstanding();
        int queued = dispatcher.queuedCount();
        return String.format(Locale.ROOT, "%6.1fs  %7.0f req/s  done %d  errors %d  p99 %s ms  in flight %d  queued %d",
                (now - startNanos) / 1e9, rate, progress.completed(), progress.errors(), Reports.millis(progress.p99Ms()),
                Math.max(0, outstanding - queued), queued);
    }
}
