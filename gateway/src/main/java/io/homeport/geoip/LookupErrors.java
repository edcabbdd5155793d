package io.homeport.geoip;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GeoIP lookups that failed at run time: counted (the gateway exports the count as {@code
 * homeport_geoip_lookup_errors_total}) and logged at most once per {@link #LOG_INTERVAL_SECONDS},
 * with the number of failures the interval held back. A verified database should never fail a
 * lookup; if one does, it must not go unnoticed, nor flood the log once per request.
 */
public final class LookupErrors {

    static final long LOG_INTERVAL_SECONDS = 10;
    private static final Logger logger = LoggerFactory.getLogger(LookupErrors.class);

    /** Process-wide: every database this process opens counts here, across reloads. */
    private static final LongAdder total = new LongAdder();
    private static final LongAdder unlogged = new LongAdder();
    private static final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

    private LookupErrors() {}

    /** Failed lookups since the process started. */
    public static long total() {
        return total.sum();
    }

    static void record(Path file, String address, Throwable error) {
        total.increment();
        long now = System.nanoTime();
        long next = nextLogNanos.get();
        if (now - next < 0 || !nextLogNanos.compareAndSet(next, now + TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS))) {
            unlogged.increment();
            return;
        }
        long heldBack = unlogged.sumThenReset();
        logger.warn("GeoIP lookup of {} in {} failed: {}{}", address, file, error,
                heldBack == 0 ? "" : " (" + heldBack + " more lookups failed since the last line)");
    }
}
