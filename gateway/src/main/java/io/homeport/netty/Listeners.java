package io.homeport.netty;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

/** Binds a listening socket and, when that fails, says which listener and address in one line. */
public final class Listeners {

    private Listeners() {}

    /** A listener that could not be bound: its message names it, its address and why. */
    public static final class BindFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        BindFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Binds {@code bootstrap} to {@code address}, waiting for it; {@code what} names the listener in
     * the error (e.g. {@code "listen"}, {@code "admin.listen"}). Call from a starting thread, never an event loop.
     */
    public static Channel bind(AbstractBootstrap<?, ?> bootstrap, SocketAddress address, String what)
            throws BindFailedException {
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (bound.isSuccess()) {
            return bound.channel();
        }
        throw new BindFailedException(what + " " + shown(address) + ": cannot listen: " + reason(bound.cause()), bound.cause());
    }

    /** host:port, as the configuration writes it ([v6]:port for IPv6), without InetSocketAddress's "/". */
    static String shown(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** The operating system's words, without Netty's "bind(..) failed:" prefix. */
    static String reason(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        int colon = message.lastIndexOf("failed: ");
        String reason = colon >= 0 ? message.substring(colon + "failed: ".length()) : message;
        reason = reason.toLowerCase(Locale.ROOT);
        if (reason.contains("address already in use")) {
            return "address already in use (another process listens there; choose another port)";
        }
        if (reason.contains("permission denied")) {
            return "permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)";
        }
        return reason;
    }
}
