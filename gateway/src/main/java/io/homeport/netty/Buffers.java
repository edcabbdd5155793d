package io.homeport.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The buffer allocator of every channel the gateway opens: Netty's pooled allocator (size classes in
 * arenas, a cache per event loop), not Netty 4.2's default adaptive one. Under the peers benchmark's
 * 16 KB answers the adaptive allocator kept making new direct chunks — each one zeroed by the JDK,
 * 3% of the event loop's time in a profile — and the pooled one served 6% more requests (30.1/30.3
 * against 32.0/31.8 k req/s, interleaved by hand); with 100 B answers the two were even
 * (benchmarks/RESULTS.md).
 */
public final class Buffers {

    public static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    private Buffers() {}
}
