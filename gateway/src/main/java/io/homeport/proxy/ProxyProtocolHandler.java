package io.homeport.proxy;

import io.homeport.net.Cidr;
import io.homeport.routing.IpAddresses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the PROXY protocol header (v1 or v2, decoded by the {@link HAProxyMessageDecoder} before
 * it) that an L4 load balancer sends ahead of everything else, records the client address it
 * carries as the connection's peer ({@link ClientConnection#PROXIED_SOURCE}), and leaves the
 * pipeline. A LOCAL header (the balancer's own health check) or one without an IP source keeps the
 * socket peer. A connection whose first bytes are not a valid header is closed: on such a listener,
 * a client must not be able to skip the header and be taken for the balancer.
 */
public final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    /** The peers a header is taken from; empty: any peer. */
    private final List<Cidr> trusted;

    public ProxyProtocolHandler() {
        this(List.of());
    }

    /** @param trusted the load balancers that may send a PROXY header; empty for any peer */
    public ProxyProtocolHandler(List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /**
     * A connection from a peer that is not a trusted balancer is closed before a byte of it is
     * read: its PROXY header would let it name any client address it liked.
     */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!trusted.isEmpty() && ctx.channel().remoteAddress() instanceof InetSocketAddress socket
                && trusted.stream().noneMatch(block -> block.contains(socket.getAddress()))) {
            logger.debug("closing {}: a PROXY protocol header is taken only from {}", socket, trusted);
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header) || !ctx.channel().isActive()) {
            // The decoder lets nothing through before a valid header; and once it has refused one,
            // it may still decode the bytes left over as the connection closes: ignore those.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        try {
            sourceOf(header).ifPresent(source -> ctx.channel().attr(ClientConnection.PROXIED_SOURCE).set(source));
        } catch (HAProxyProtocolException e) {
            exceptionCaught(ctx, e);
            return;
        } finally {
            header.release();
        }
        ctx.pipeline().remove(this);
    }

    /**
     * The client address a header carries; empty for LOCAL, UNKNOWN and UNIX-socket headers.
     *
     * @throws HAProxyProtocolException when an IP source is not an address literal
     */
    static Optional<InetSocketAddress> sourceOf(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY) {
            return Optional.empty();
        }
        HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
        if (family != HAProxyProxiedProtocol.AddressFamily.AF_IPv4 && family != HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
            return Optional.empty();
        }
        InetAddress address = IpAddresses.parseLiteral(header.sourceAddress()) // never DNS
                .orElseThrow(() -> new HAProxyProtocolException("source address: " + header.sourceAddress()));
        return Optional.of(new InetSocketAddress(address, header.sourcePort()));
    }

    /** Until the header is taken, any failure is a bad header (the decoder also throws plain decoding errors). */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug("closing {}: invalid PROXY protocol header: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
