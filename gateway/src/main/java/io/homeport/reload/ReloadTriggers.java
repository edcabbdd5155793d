package io.homeport.reload;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What makes a {@link ConfigReloader} reload by itself: file events (debounced), polling of the
 * files' stamps, and SIGHUP. Every reload is run on the reloader's single thread; the watcher and
 * the signal handler only hand work to it.
 */
final class ReloadTriggers implements AutoCloseable {

    static final String POLL = "poll";
    static final String FILE_CHANGE = "file change";
    static final String SIGHUP = "SIGHUP";

    /**
     * Whether a reload was asked for by someone (SIGHUP, the admin API) rather than started by a
     * file's stamp: only those log that nothing changed, as an answer to the operator.
     */
    static boolean isOperatorAction(String trigger) {
        return !trigger.equals(POLL) && !trigger.equals(FILE_CHANGE);
    }

    /** How long file events must be quiet before a reload: one reload per editor save. */
    static final Duration DEBOUNCE = Duration.ofMillis(200);

    private static final Logger logger = LoggerFactory.getLogger(ReloadTriggers.class);

    private final ScheduledExecutorService reloadThread;
    private final Duration pollInterval;
    private final Supplier<List<Path>> files;
    private final Consumer<String> reload;

    /** Stamps of the files when last polled or reloaded. */
    private volatile Map<Path, FileStamp> seen = Map.of();

    private boolean started;
    private boolean closed;
    private ScheduledFuture<?> poller;
    private ScheduledFuture<?> pendingDebounced;
    private volatile DirectoryWatcher watcher;
    private SighupTrigger sighup;

    /**
     * @param files the files to watch right now (they change when new rules name another users file)
     * @param reload runs one reload, on the calling thread, given the trigger's name
     */
    ReloadTriggers(ScheduledExecutorService reloadThread, Duration pollInterval, Supplier<List<Path>> files,
            Consumer<String> reload) {
        this.reloadThread = reloadThread;
        this.pollInterval = pollInterval;
        this.files = files;
        this.reload = reload;
    }

    synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the config reloader is closed");
        }
        if (started) {
            return;
        }
        started = true;
        markSeen();
        long millis = pollInterval.toMillis();
        poller = reloadThread.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
        List<Path> watched = files.get();
        try {
            watcher = DirectoryWatcher.start(watched, () -> reloadDebounced(FILE_CHANGE));
        } catch (IOException | RuntimeException e) {
            logger.warn("cannot watch {} for changes ({}); polling every {} instead", watched, e.toString(), pollInterval);
        }
        sighup = SighupTrigger.install(this::reloadOnSignal).orElse(null);
        logger.info("reloading {} on change (polling every {}){}", watched, pollInterval, sighup == null ? "" : " and on SIGHUP");
    }

    /** Records the files' current stamps; a reload calls this before reading, so later writes are seen. */
    void markSeen() {
        seen = stamps();
    }

    /** Follows a new set of files (called after a reload that changed it). */
    void filesChanged() {
        DirectoryWatcher current = watcher;
        if (current == null) {
            return;
        }
        try {
            current.watch(files.get());
        } catch (IOException | RuntimeException e) {
            logger.warn("cannot watch {} ({}); polling still finds changes", files.get(), e.toString());
        }
    }

    synchronized boolean reloadsOnSighup() {
        return sighup != null;
    }

    boolean watchesFiles() {
        return watcher != null;
    }

    private synchronized void reloadDebounced(String trigger) {
        if (closed) {
            return;
        }
        if (pendingDebounced != null) {
            pendingDebounced.cancel(false);
        }
        pendingDebounced = reloadThread.schedule(() -> reload.accept(trigger), DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs on the JVM's signal thread: hands the reload to the reload thread. */
    private void reloadOnSignal() {
        try {
            reloadThread.execute(() -> reload.accept(SIGHUP));
        } catch (RejectedExecutionException e) {
            logger.info("SIGHUP ignored: the config reloader is closed");
        }
    }

    /** Runs on the reload thread (tests call it directly): reloads when any file's stamp moved since last seen. */
    void poll() {
        Map<Path, FileStamp> now = stamps();
        if (!now.equals(seen)) {
            seen = now;
            reload.accept(POLL);
        }
    }

    private Map<Path, FileStamp> stamps() {
        Map<Path, FileStamp> stamps = new LinkedHashMap<>();
        for (Path file : files.get()) {
            stamps.put(file, FileStamp.of(file));
        }
        return stamps;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (poller != null) {
            poller.cancel(false);
        }
        if (pendingDebounced != null) {
            pendingDebounced.cancel(false);
        }
        if (watcher != null) {
            watcher.close();
        }
        if (sighup != null) {
            sighup.close();
            sighup = null;
        }
    }
}
