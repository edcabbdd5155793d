package io.homeport.upstream;

import io.homeport.rules.Endpoint;
import io.homeport.server.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.homeport.server.ActivityIdleHandler;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.HashMap;
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

    private final Transports transports;
    private final UpstreamTimeouts timeouts;
    private final FastThreadLocal<Map<Endpoint, ArrayDeque<Channel>>> idleByLoop = newPool();
    /** Connections without the HTTP codec, for the direct HTTP/1.1 path, which reads and writes bytes itself. */
    private final FastThreadLocal<Map<Endpoint, ArrayDeque<Channel>>> rawIdleByLoop = newPool();

    private static FastThreadLocal<Map<Endpoint, ArrayDeque<Channel>>> newPool() {
        return new FastThreadLocal<>() {
            @Override
            protected Map<Endpoint, ArrayDeque<Channel>> initialValue() {
                return new HashMap<>();
            }
        };
    }

    public UpstreamConnections(Transports transports, UpstreamTimeouts timeouts) {
        this.transports = transports;
        this.timeouts = timeouts;
    }

    public UpstreamTimeouts timeouts() {
        return timeouts;
    }

    /** A pooled idle connection to {@code endpoint} on the calling event loop, or null. Event loop only. */
    public Channel pollIdle(Endpoint endpoint) {
        return pollIdle(endpoint, false);
    }

    /** As {@link #pollIdle(Endpoint)}; {@code raw} for a connection without the HTTP codec. */
    public Channel pollIdle(Endpoint endpoint, boolean raw) {
        ArrayDeque<Channel> idle = pool(raw).get().get(endpoint);
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

    /** Opens a new connection on {@code loop}; the codec is in place, the caller adds its handler. */
    public ChannelFuture connect(Endpoint endpoint, EventLoop loop) {
        return connect(endpoint, loop, false);
    }

    /** As {@link #connect(Endpoint, EventLoop)}; {@code raw}: no HTTP codec, the caller reads and writes bytes. */
    public ChannelFuture connect(Endpoint endpoint, EventLoop loop, boolean raw) {
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transports.socketChannel())
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
                        if (!raw) {
                            channel.pipeline().addLast(CODEC, new HttpClientCodec());
                        }
                    }
                });
        ChannelFuture connected = bootstrap.connect(endpoint.host(), endpoint.port());
        // Once per connection: leave the pool when closed, by the backend or by the idle timer.
        FastThreadLocal<Map<Endpoint, ArrayDeque<Channel>>> pool = pool(raw);
        connected.channel().closeFuture().addListener(f -> {
            ArrayDeque<Channel> idle = pool.get().get(endpoint);
            if (idle != null) {
                idle.remove(connected.channel());
            }
        });
        return connected;
    }

    /** Returns a connection whose last exchange completed cleanly. Event loop only. */
    public void release(Endpoint endpoint, Channel channel) {
        release(endpoint, channel, false);
    }

    /** As {@link #release(Endpoint, Channel)}, into the pool {@code raw} names. */
    public void release(Endpoint endpoint, Channel channel, boolean raw) {
        if (!channel.isActive()) {
            return;
        }
        ArrayDeque<Channel> idle = pool(raw).get().computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        if (idle.size() >= MAX_IDLE_PER_ENDPOINT) {
            channel.close();
            return;
        }
        idle.addLast(channel);
        channel.read(); // so that a backend closing the idle connection is noticed, and it leaves the pool
    }

    private FastThreadLocal<Map<Endpoint, ArrayDeque<Channel>>> pool(boolean raw) {
        return raw ? rawIdleByLoop : idleByLoop;
    }
}
