package io.homeport.admin;

import io.homeport.canary.TrafficSample;
import io.homeport.metrics.GatewayMetrics;
import io.homeport.net.HostAndPort;
import io.homeport.netty.Buffers;
import io.homeport.netty.Listeners;
import io.homeport.netty.Transports;
import io.homeport.proxy.ClientAddressResolver;
import io.homeport.reload.ConfigReloader;
import io.homeport.reload.SnapshotHolder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener (SPEC §5), apart from the proxy listeners and loopback by default: {@code GET
 * /healthz}, {@code /readyz}, {@code /metrics}, {@code /explain}, {@code /config} and {@code POST
 * /reload}. With a token, every endpoint but the {@code /healthz} and {@code /readyz} probes requires
 * {@code Authorization: Bearer <token>}. Runs on the event loop group it is given and never blocks
 * it; the group belongs to the caller, who shuts it down.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(AdminServer.class);

    private final HostAndPort listen;
    private final Optional<String> token;
    private final Transports transports;
    private final EventLoopGroup group;
    private final AdminEndpoints endpoints;
    private volatile Channel serverChannel;

    /** @param token the bearer token admin requests must carry, or empty for none (loopback only) */
    public AdminServer(HostAndPort listen, Optional<String> token, Transports transports, EventLoopGroup group,
            SnapshotHolder holder, GatewayMetrics metrics, ConfigReloader reloader, Readiness readiness,
            TrafficSample trafficSample, ClientAddressResolver clientAddresses, io.homeport.proxy.PinPrefetch pins) {
        this.listen = Objects.requireNonNull(listen, "listen");
        this.token = Objects.requireNonNull(token, "token");
        this.transports = Objects.requireNonNull(transports, "transports");
        this.group = Objects.requireNonNull(group, "group");
        this.endpoints = new AdminEndpoints(Objects.requireNonNull(holder, "holder"), Objects.requireNonNull(metrics, "metrics"),
                Objects.requireNonNull(reloader, "reloader"), Objects.requireNonNull(readiness, "readiness"),
                Objects.requireNonNull(trafficSample, "trafficSample"), Objects.requireNonNull(clientAddresses, "clientAddresses"),
                Objects.requireNonNull(pins, "pins"));
    }

    /**
     * Binds the listener (port 0 picks a free port) and returns the bound address. Blocks until
     * bound, so call it from a starting thread, never from an event loop.
     *
     * @throws IOException when the address cannot be bound
     */
    public InetSocketAddress start() throws IOException {
        if (serverChannel != null) {
            throw new IllegalStateException("admin server already started on " + serverChannel.localAddress());
        }
        serverChannel = Listeners.bind(new ServerBootstrap()
                .group(group)
                .channel(transports.serverChannel())
                .childOption(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new AdminChannelInitializer(endpoints, token)), listen.toSocketAddress(), "admin.listen");
        InetSocketAddress bound = address();
        logger.info("admin listening on {}", bound);
        return bound;
    }

    /** The bound address; after {@link #start()}. */
    public InetSocketAddress address() {
        Channel channel = serverChannel;
        if (channel == null) {
            throw new IllegalStateException("admin server not started");
        }
        return (InetSocketAddress) channel.localAddress();
    }

    /** Closes the listener; open admin connections are left to finish (the group's shutdown ends them). */
    @Override
    public void close() {
        Channel channel = serverChannel;
        if (channel == null) {
            return;
        }
        ChannelFuture closed = channel.close();
        if (!channel.eventLoop().inEventLoop()) {
            closed.awaitUninterruptibly(); // so a caller may rebind the port right away
        }
    }
}
