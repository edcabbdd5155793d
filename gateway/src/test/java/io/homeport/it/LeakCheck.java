package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fails a test when Netty's leak detector (PARANOID in tests, set by surefire) reports a leaked
 * buffer. The detector only logs by default; this listens to it.
 */
public final class LeakCheck {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            Class<?> abstractByteBuf = Class.forName("io.netty.buffer.AbstractByteBuf");
            Field field = abstractByteBuf.getDeclaredField("leakDetector");
            field.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            detector.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private LeakCheck() {}

    public static void install() {
        // the static initializer does the work
    }

    /** Collects garbage, lets the detector look at what was collected, and fails on any leak. */
    public static void assertNoLeaks() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            // The detector reports collected-but-unreleased buffers when the next buffers are tracked.
            for (int i = 0; i < 64; i++) {
                ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(16);
                probe.release();
            }
        }
        assertThat(LEAKS).as("Netty buffer leaks").isEmpty();
    }
}
