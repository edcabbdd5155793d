package io.homeport.world;

import io.homeport.netty.Closing;
import io.homeport.netty.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A long-distance link where the kernel has no netem: a TCP relay that delivers every byte, each
 * direction, a fixed one-way time after it arrived (half the round trip), in order. Connection
 * set-up and close cross it with the same delay, so a new connection costs a round trip as over a
 * real path. It models propagation delay only: no loss, no bandwidth limit.
 */
public final class DelayLink implements AutoCloseable {

    /** A direction stops reading while this much is in flight inside the link (a receive window). */
    static final int MAX_IN_FLIGHT_BYTES = 4 << 20;

    private final Channel server;
    private final String name;
    private final long oneWayNanos;

    private DelayLink(Channel server, String name, long oneWayNanos) {
        this.server = server;
        this.name = name;
        this.oneWayNanos = oneWayNanos;
    }

    /** Listens on {@code listen} (port 0: any) and relays each connection to {@code target}. */
    public static DelayLink start(String name, Transports transports, EventLoopGroup group, InetSocketAddress listen,
            InetSocketAddress target, Duration oneWay) throws InterruptedException {
        long oneWayNanos = oneWay.toNanos();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(transports.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel inbound) {
                        inbound.pipeline().addLast(new Accepted(transports, target, oneWayNanos));
                    }
                })
                .bind(listen).sync().channel();
        return new DelayLink(server, name, oneWayNanos);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public String name() {
        return name;
    }

    public Duration oneWay() {
        return Duration.ofNanos(oneWayNanos);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }

    /** A phone's connection arrived: after the one-way time, the far end is dialled (the SYN's trip). */
    private static final class Accepted extends ChannelInboundHandlerAdapter {
        private final Transports transports;
        private final InetSocketAddress target;
        private final long oneWayNanos;

        Accepted(Transports transports, InetSocketAddress target, long oneWayNanos) {
            this.transports = transports;
            this.target = target;
            this.oneWayNanos = oneWayNanos;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            ctx.executor().schedule(() -> new Bootstrap()
                    .group(inbound.eventLoop())
                    .channel(transports.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(target)
                    .addListener((ChannelFutureListener) connected -> {
                        if (!connected.isSuccess()) {
                            inbound.close();
                            return;
                        }
                        Channel outbound = connected.channel();
                        Direction toFar = new Direction(outbound, oneWayNanos);
                        Direction toNear = new Direction(inbound, oneWayNanos);
                        toFar.reverse = toNear;
                        toNear.reverse = toFar;
                        inbound.pipeline().replace(this, "delay", toFar);
                        outbound.pipeline().addLast("delay", toNear);
                        // The SYN-ACK's trip back: the phone may send once it has crossed.
                        ctx.executor().schedule(() -> {
                            inbound.read();
                            outbound.read();
                        }, oneWayNanos, TimeUnit.NANOSECONDS);
                    }), oneWayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * One direction: what the channel it sits on reads is written to {@code peer} one way later.
     * Both channels share one event loop, so the counters need no locks; tasks with the same delay
     * run in the order they were scheduled, so bytes stay in order.
     */
    private static final class Direction extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        private final long oneWayNanos;
        private Direction reverse;
        private long inFlightBytes;
        private boolean paused;

        Direction(Channel peer, long oneWayNanos) {
            this.peer = peer;
            this.oneWayNanos = oneWayNanos;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf bytes)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            int size = bytes.readableBytes();
            inFlightBytes += size;
            ctx.executor().schedule(() -> {
                inFlightBytes -= size;
                if (peer.isActive()) {
                    peer.writeAndFlush(bytes);
                } else {
                    bytes.release();
                }
                if (paused && inFlightBytes < MAX_IN_FLIGHT_BYTES / 2 && peer.isWritable()) {
                    paused = false;
                    ctx.read();
                }
            }, oneWayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (inFlightBytes < MAX_IN_FLIGHT_BYTES && peer.isWritable()) {
                ctx.read();
            } else {
                paused = true;
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // This channel drained what the other direction wrote to it: that direction may read again.
            if (ctx.channel().isWritable() && reverse != null && reverse.paused && reverse.inFlightBytes < MAX_IN_FLIGHT_BYTES) {
                reverse.paused = false;
                peer.read();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // The FIN crosses after the data before it.
            ctx.executor().schedule(() -> {
                if (peer.isActive()) {
                    Closing.afterWrites(peer);
                }
            }, oneWayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
