package io.homeport.server;

import io.homeport.config.GatewayConfig;
import io.homeport.netty.Buffers;
import io.homeport.netty.Listeners;
import io.homeport.netty.Transports;
import io.homeport.proxy.ClientAddressResolver;
import io.homeport.proxy.ProxyContext;
import io.homeport.proxy.ProxySettings;
import io.homeport.tls.CertificateWatcher;
import io.homeport.tls.InvalidCertificateException;
import io.homeport.tls.SniCertificates;
import io.homeport.tls.TlsProvider;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
    private final Duration certificatePollInterval;
    private CertificateWatcher certificateWatcher;

    /**
     * @param certificatePollInterval how often TLS listeners' certificate files are checked for changes
     */
    public ProxyServer(List<GatewayConfig.Listener> listeners, ProxyContext proxy, ProxySettings settings, Transports transports,
            EventLoopGroup acceptors, EventLoopGroup workers, Duration certificatePollInterval) {
        this.listeners = List.copyOf(listeners);
        this.proxy = proxy;
        this.settings = settings;
        this.transports = transports;
        this.acceptors = acceptors;
        this.workers = workers;
        this.certificatePollInterval = certificatePollInterval;
    }

    /**
     * Loads TLS listeners' certificates (failing on the first that cannot serve), binds every
     * listener, and starts watching the certificate files; returns the bound addresses, in listener order.
     */
    public List<InetSocketAddress> start() throws InterruptedException, InvalidCertificateException, Listeners.BindFailedException {
        List<SniCertificates> certificatesByListener = loadCertificates();
        List<SniCertificates> tlsListeners = certificatesByListener.stream().filter(Objects::nonNull).toList();
        if (!tlsListeners.isEmpty()) {
            certificateWatcher = new CertificateWatcher(tlsListeners, proxy.metrics());
            certificateWatcher.start(certificatePollInterval);
        }
        List<InetSocketAddress> bound = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++) {
            GatewayConfig.Listener listener = listeners.get(i);
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(acceptors, workers)
                    .channel(transports.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                    .childOption(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ProxyInitializer(forListener(listener), settings, listener, clients,
                            certificatesByListener.get(i)));
            Channel channel = Listeners.bind(bootstrap, listener.address().toSocketAddress(),
                    listeners.size() == 1 ? "listen" : "listen[" + i + "]");
            serverChannels.add(channel);
            bound.add((InetSocketAddress) channel.localAddress());
        }
        return bound;
    }

    /** The shared context, with the listener's own trusted proxies when it has them (a CDN-facing listener, say). */
    private ProxyContext forListener(GatewayConfig.Listener listener) {
        return listener.trustedProxies()
                .map(trusted -> proxy.withClientAddresses(new ClientAddressResolver(trusted)))
                .orElse(proxy);
    }

    /** Each listener's certificates, or null for a cleartext listener; in listener order. */
    private List<SniCertificates> loadCertificates() throws InvalidCertificateException {
        List<SniCertificates> certificates = new ArrayList<>();
        SslProvider provider = null;
        for (GatewayConfig.Listener listener : listeners) {
            if (listener.tls().isEmpty()) {
                certificates.add(null);
                continue;
            }
            if (provider == null) {
                provider = TlsProvider.select(); // once, and only when some listener terminates TLS
            }
            certificates.add(SniCertificates.load(listener.tls().get(), provider));
        }
        return certificates;
    }

    /** Stops accepting new connections, and so watching certificates for new handshakes; open ones go on. */
    public void stopAccepting() {
        for (Channel channel : serverChannels) {
            channel.close().syncUninterruptibly();
        }
        if (certificateWatcher != null) {
            certificateWatcher.close();
        }
    }

    /** Tells every client connection that the gateway drains ({@link io.homeport.proxy.Drain.Event#STARTED}). */
    public void drainClients() {
        clients.forEach(channel -> channel.pipeline().fireUserEventTriggered(io.homeport.proxy.Drain.Event.STARTED));
    }

    /** Client connections open now, all listeners. */
    public int clientConnections() {
        return clients.size();
    }

    /**
     * Closes every client connection once what was written to it has gone out, waiting at most
     * {@code grace} for that (a client that stopped reading would hold the shutdown); then closes
     * whatever is left, cutting what it still had to send. Returns how many were cut so.
     */
    public int closeClients(Duration grace) {
        ChannelGroupFuture written = clients.writeAndFlush(Unpooled.EMPTY_BUFFER);
        written.awaitUninterruptibly(grace.toMillis());
        int cut = 0;
        for (ChannelFuture write : written) {
            if (!write.isDone()) {
                cut++;
            }
        }
        clients.close().awaitUninterruptibly();
        return cut;
    }
}
