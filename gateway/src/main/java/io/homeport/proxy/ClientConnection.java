package io.homeport.proxy;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Facts about a client connection that handlers learn and the proxy reads: the peer address is
 * the socket's, unless a PROXY protocol header said otherwise. HTTP/2 streams ask their parent
 * connection.
 */
public final class ClientConnection {

    /** The source address a PROXY protocol header carried, set by the PROXY protocol handler. */
    public static final AttributeKey<InetSocketAddress> PROXIED_SOURCE = AttributeKey.valueOf("homeport.proxiedSource");

    private ClientConnection() {}

    /** Where {@link #peer} came from: a PROXY protocol header, or the socket. */
    public static ClientIp peerSource(Channel channel) {
        Channel connection = channel.parent() != null && !(channel.parent() instanceof io.netty.channel.ServerChannel)
                ? channel.parent()
                : channel;
        return ClientIp.peer(connection.hasAttr(PROXIED_SOURCE) && connection.attr(PROXIED_SOURCE).get() != null);
    }

    /** As {@link #peer}, or null when the connection has no IP peer (an embedded channel in a test). */
    public static InetAddress peerOrNull(Channel channel) {
        Channel connection = channel.parent() != null && !(channel.parent() instanceof io.netty.channel.ServerChannel)
                ? channel.parent()
                : channel;
        InetSocketAddress proxied = connection.attr(PROXIED_SOURCE).get();
        if (proxied != null) {
            return proxied.getAddress();
        }
        return connection.remoteAddress() instanceof InetSocketAddress socket ? socket.getAddress() : null;
    }

    /** The address of whoever sent this connection's requests to the gateway. */
    public static InetAddress peer(Channel channel) {
        InetAddress peer = peerOrNull(channel);
        if (peer == null) {
            throw new IllegalStateException("not an IP connection: " + channel);
        }
        return peer;
    }
}
