package io.homeport.geoip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

class StripedCounterTest {

    @Test
    void countsEveryIncrementOfOneThread() {
        StripedCounter counter = new StripedCounter();
        for (int i = 0; i < 12_345; i++) {
            counter.increment();
        }
        assertThat(counter.sum()).isEqualTo(12_345);
    }

    @Test
    @SuppressWarnings("deprecation")
    void threadsStartedTogetherCountExactlyWhenTheyRaceFlatOut() throws Exception {
        int threads = 8;
        int each = 2_000_000;
        StripedCounter counter = new StripedCounter();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> counting = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            counting.add(new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < each; i++) {
                    counter.increment();
                }
            }));
        }
        Set<Long> stripes = new HashSet<>();
        for (Thread thread : counting) {
            stripes.add(thread.getId() % StripedCounter.STRIPES);
        }
        // The promise holds for threads of distinct stripes, which threads made one after another have.
        assumeTrue(stripes.size() == threads, "thread ids share a stripe: " + stripes);
        counting.forEach(Thread::start);
        for (Thread thread : counting) {
            thread.join();
        }
        assertThat(counter.sum()).isEqualTo((long) threads * each);
    }
}
