package io.homeport.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.proxy.CompletedExchange;
import io.homeport.proxy.ExchangeListener;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StartupSettlingTest {

    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final ExchangeListener next = new ExchangeListener() {
        @Override
        public void started() {
            started.incrementAndGet();
        }

        @Override
        public void completed(CompletedExchange exchange) {
            completed.incrementAndGet();
        }

        @Override
        public void refused(CompletedExchange exchange) {
            refused.incrementAndGet();
        }
    };

    @Test
    void collectsOnceAfterTheFirstAnswersFromThreadsOfItsOwn() throws Exception {
        AtomicInteger collections = new AtomicInteger();
        CountDownLatch collected = new CountDownLatch(1);
        Thread[] collector = new Thread[1];
        StartupSettling settling = new StartupSettling(next, 3, () -> {
            collector[0] = Thread.currentThread();
            collections.incrementAndGet();
            collected.countDown();
        });

        settling.completed(null);
        settling.completed(null);
        assertThat(settling.settled()).isFalse();
        settling.completed(null);
        assertThat(collected.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 100; i++) {
            settling.completed(null);
        }
        Thread.sleep(50);

        assertThat(settling.settled()).isTrue();
        assertThat(collections).hasValue(1);
        assertThat(collector[0]).isNotSameAs(Thread.currentThread());
        assertThat(collector[0].isDaemon()).isTrue();
        assertThat(completed).hasValue(103);
    }

    @Test
    void refusalsAndStartsPassThroughWithoutCounting() {
        AtomicInteger collections = new AtomicInteger();
        StartupSettling settling = new StartupSettling(next, 1, collections::incrementAndGet);

        settling.started();
        settling.refused(null);
        settling.refused(null);

        assertThat(settling.settled()).isFalse();
        assertThat(collections).hasValue(0);
        assertThat(started).hasValue(1);
        assertThat(refused).hasValue(2);
    }

    @Test
    void answersFromManyLoopsStartOneCollection() throws Exception {
        AtomicInteger collections = new AtomicInteger();
        StartupSettling settling = new StartupSettling(next, 1_000, collections::incrementAndGet);
        Thread[] loops = new Thread[4];
        for (int t = 0; t < loops.length; t++) {
            loops[t] = new Thread(() -> {
                for (int i = 0; i < 1_000; i++) {
                    settling.completed(null);
                }
            });
            loops[t].start();
        }
        for (Thread loop : loops) {
            loop.join(10_000);
        }
        Thread.sleep(100);
        assertThat(collections).hasValue(1);
        assertThat(completed).hasValue(4_000);
    }

    @Test
    void aLargeLiveHeapIsNotCollectedAtOnce() {
        assertThat(StartupSettling.worthCollecting(27L << 20)).isTrue();
        assertThat(StartupSettling.worthCollecting(StartupSettling.MAX_LIVE_BYTES)).isTrue();
        assertThat(StartupSettling.worthCollecting(StartupSettling.MAX_LIVE_BYTES + 1)).isFalse();
        assertThat(StartupSettling.worthCollecting(2_500L << 20)).isFalse(); // a hundred million pins
        assertThat(StartupSettling.worthCollecting(-1)).isFalse(); // the JVM does not tell: do nothing
    }

    @Test
    void theJvmTellsTheHeapInUseAfterItsLastCollection() {
        System.gc();
        long live = StartupSettling.liveBytesAfterLastCollection();
        assertThat(live).isPositive().isLessThan(Runtime.getRuntime().maxMemory());
    }
}
