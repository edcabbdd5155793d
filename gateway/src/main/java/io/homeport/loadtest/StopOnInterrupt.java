package io.homeport.loadtest;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (or SIGTERM) ends the load early instead of losing it: a shutdown hook stops the run and
 * holds the JVM until the reports of what was sent are written, for at most {@code grace}.
 */
final class StopOnInterrupt implements AutoCloseable {

    private final CountDownLatch reported = new CountDownLatch(1);
    private final Thread hook;

    StopOnInterrupt(LoadRun run, PrintWriter err, Duration grace) {
        hook = new Thread(() -> {
            err.println("stopping: no new requests; reporting what was sent");
            err.flush();
            run.stop();
            try {
                reported.await(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loadtest-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The reports are written (or the run failed): the JVM may exit, and a later Ctrl-C is not ours. */
    @Override
    public void close() {
        reported.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running and has just been released.
        }
    }
}
