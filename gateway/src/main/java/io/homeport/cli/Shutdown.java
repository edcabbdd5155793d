package io.homeport.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for SIGTERM or SIGINT (Ctrl-C). The signals are handled, not left to the JVM's default, so
 * that the gateway drains and the process exits 0, as a supervisor expects from a clean stop.
 */
final class Shutdown {

    private static final Logger logger = LoggerFactory.getLogger(Shutdown.class);

    private final CountDownLatch requested = new CountDownLatch(1);

    Shutdown() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> requested.countDown());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                logger.debug("cannot handle SIG{}; relying on the shutdown hook", name, e);
                Runtime.getRuntime().addShutdownHook(new Thread(requested::countDown, "homeport-shutdown"));
            }
        }
    }

    void await() throws InterruptedException {
        requested.await();
    }
}
