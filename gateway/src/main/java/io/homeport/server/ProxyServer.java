package io.homeport.server;

import io.homeport.config.GatewayConfig;
import io.homeport.proxy.ProxyContext;
import io.homeport.proxy.ProxySettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** The proxy's listeners: binds them, and stops accepting on shutdown while connections drain. */
public final class ProxyServer {

    private final List<GatewayConfig.Listener> listeners;
    private final ProxyContext proxy;
    private final ProxySettings settings;
    private final Transports transports;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final List<Channel> serverChannels = new ArrayList<>();
    private final ChannelGroup clients = new DefaultChannelGroup("homeport-clients", GlobalEventExecutor.INSTANCE);

    public ProxyServer(List<GatewayConfig.Listener> listeners, ProxyContext proxy, ProxySettings settings, Transports transports,
            EventLoopGroup acceptors, EventLoopGroup workers) {
        this.listeners = List.copyOf(listeners);
        this.proxy = proxy;
        this.settings = settings;
        this.transports = transports;
        this.acceptors = acceptors;
        this.workers = workers;
    }

    /** Binds every listener; returns the bound addresses, in listener order. */
    public List<InetSocketAddress> start() throws InterruptedException {
        List<InetSocketAddress> bound = new ArrayList<>();
        for (GatewayConfig.Listener listener : listeners) {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(acceptors, workers)
                    .channel(transports.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ProxyInitializer(proxy, settings, listener, clients));
            Channel channel = bootstrap.bind(listener.address().toSocketAddress()).sync().channel();
            serverChannels.add(channel);
            bound.add((InetSocketAddress) channel.localAddress());
        }
        return bound;
    }

    /** Stops accepting new connections; open ones go on. */
    public void stopAccepting() {
        for (Channel channel : serverChannels) {
            channel.close().syncUninterruptibly();
        }
    }

    /** Closes every client connection. */
    public void closeClients() {
        clients.close().awaitUninterruptibly();
    }
}
