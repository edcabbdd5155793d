package io.homeport.upstream;

import io.homeport.netty.ActivityIdleHandler;
import io.homeport.netty.Buffers;
import io.homeport.netty.Transports;
import io.homeport.rules.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keep-alive connections to upstream endpoints, pooled per event loop: a client connection's
 * upstream connections live on its own event loop, so relaying needs no locks and no thread hops,
 * and the pool needs no synchronisation.
 */
public final class UpstreamConnections {

    /** Idle connections kept per endpoint and event loop; more are closed when released. */
    static final int MAX_IDLE_PER_ENDPOINT = 128;

    public static final String CODEC = "http-client-codec";
    public static final String IDLE = "idle";

    /** How a connection's bytes are read and written: each framing has its own pool, its connections its handlers. */
    public enum Framing {
        /** Through Netty's HTTP client codec: the codec path. */
        HTTP_CODEC,
        /** Bytes as they are: the direct HTTP/1.1 path reads and writes the wire itself. */
        RAW
    }

    private final Transports transports;
    private final UpstreamTimeouts timeouts;
    /** Per framing, per event loop: idle connections by endpoint. */
    private final List<FastThreadLocal<Map<Endpoint, ArrayDeque<Channel>>>> pools =
            Arrays.stream(Framing.values()).map(framing -> newPool()).toList();

    private static FastThreadLocal<Map<Endpoint, ArrayDeque<Channel>>> newPool() {
        return new FastThreadLocal<>() {
            @Override
            protected Map<Endpoint, ArrayDeque<Channel>> initialValue() {
                return new HashMap<>();
            }
        };
    }

    private final AddressResolverGroup<? extends SocketAddress> resolver;

    /** With the JDK's resolver (tests with address literals). */
    public UpstreamConnections(Transports transports, UpstreamTimeouts timeouts) {
        this(transports, timeouts, DefaultAddressResolverGroup.INSTANCE);
    }

    /** {@code resolver} turns endpoint names into addresses on the connecting event loop ({@link UpstreamResolver}). */
    public UpstreamConnections(Transports transports, UpstreamTimeouts timeouts, AddressResolverGroup<? extends SocketAddress> resolver) {
        this.transports = transports;
        this.timeouts = timeouts;
        this.resolver = resolver;
    }

    public UpstreamTimeouts timeouts() {
        return timeouts;
    }

    /** A pooled idle connection of {@code framing} to {@code endpoint} on the calling event loop, or null. Event loop only. */
    public Channel pollIdle(Endpoint endpoint, Framing framing) {
        ArrayDeque<Channel> idle = pool(framing).get().get(endpoint);
        if (idle == null) {
            return null;
        }
        Channel channel;
        while ((channel = idle.pollLast()) != null) {
            if (channel.isActive()) {
                return channel;
            }
        }
        return null;
    }

    /** Opens a new connection on {@code loop} with the handlers of {@code framing}; the caller adds its relay. */
    public ChannelFuture connect(Endpoint endpoint, EventLoop loop, Framing framing) {
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transports.socketChannel())
                .resolver(resolver)
                .option(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeouts.connect().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (endpoint.tls()) {
                            channel.pipeline().addLast(UpstreamTls.handler(channel, endpoint));
                        }
                        channel.pipeline().addLast(IDLE, new ActivityIdleHandler(timeouts.idle()));
                        if (framing == Framing.HTTP_CODEC) {
                            channel.pipeline().addLast(CODEC, new UpstreamHttpCodec());
                        }
                    }
                });
        ChannelFuture connected = bootstrap.connect(endpoint.host(), endpoint.port());
        // Once per connection: leave the pool when closed, by the backend or by the idle timer.
        FastThreadLocal<Map<Endpoint, ArrayDeque<Channel>>> pool = pool(framing);
        connected.channel().closeFuture().addListener(f -> {
            ArrayDeque<Channel> idle = pool.get().get(endpoint);
            if (idle != null) {
                idle.remove(connected.channel());
            }
        });
        return connected;
    }

    /** Returns a connection of {@code framing} whose last exchange completed cleanly. Event loop only. */
    public void release(Endpoint endpoint, Channel channel, Framing framing) {
        if (!channel.isActive()) {
            return;
        }
        ArrayDeque<Channel> idle = pool(framing).get().computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        if (idle.size() >= MAX_IDLE_PER_ENDPOINT) {
            channel.close();
            return;
        }
        idle.addLast(channel);
        channel.read(); // so that a backend closing the idle connection is noticed, and it leaves the pool
    }

    private FastThreadLocal<Map<Endpoint, ArrayDeque<Channel>>> pool(Framing framing) {
        return pools.get(framing.ordinal());
    }
}
