package io.homeport.it;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

/** Samples the memory Netty's default allocator (the one the gateway uses) holds, and keeps the peak. */
final class MemoryWatch {

    private final Thread sampler;
    private volatile boolean running = true;
    private volatile long peak;
    private final long baseline = used();

    private MemoryWatch() {
        sampler = new Thread(() -> {
            while (running) {
                peak = Math.max(peak, used() - baseline);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "memory-watch");
        sampler.setDaemon(true);
    }

    private static long used() {
        ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return metric.usedDirectMemory() + metric.usedHeapMemory();
    }

    /** Starts sampling; the peak is reported above what the allocator held at the start. */
    static MemoryWatch start() {
        MemoryWatch watch = new MemoryWatch();
        watch.sampler.start();
        return watch;
    }

    long stop() throws InterruptedException {
        running = false;
        sampler.join();
        return peak;
    }
}
