package io.homeport.tls;

import io.homeport.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the listeners' certificate and key files (size, modification time, inode) on one daemon
 * thread and reloads a listener's certificates when its files change, so that renewed
 * certificates serve without a restart. Polling rather than a file watch: certificate files are
 * often symlinks into a secret volume that a watch does not follow. Counted as
 * {@code homeport_config_reloads_total{kind="tls"}}.
 */
public final class CertificateWatcher implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(CertificateWatcher.class);

    private final List<SniCertificates> listeners;
    private final GatewayMetrics metrics;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "homeport-tls-reload");
        thread.setDaemon(true);
        return thread;
    });

    public CertificateWatcher(List<SniCertificates> listeners, GatewayMetrics metrics) {
        this.listeners = List.copyOf(listeners);
        this.metrics = metrics;
    }

    /** Polls every {@code interval}. */
    public void start(Duration interval) {
        long millis = Math.max(1, interval.toMillis());
        poller.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** One round over every listener; also what a test calls instead of waiting. */
    public void poll() {
        for (SniCertificates certificates : listeners) {
            try {
                switch (certificates.reloadIfChanged()) {
                    case RELOADED -> metrics.configReload("tls", true);
                    case REFUSED -> metrics.configReload("tls", false);
                    case UNCHANGED -> { }
                }
            } catch (RuntimeException e) {
                // A bug must not stop the poller: the next round tries again.
                logger.error("TLS certificate reload failed", e);
                metrics.configReload("tls", false);
            }
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
