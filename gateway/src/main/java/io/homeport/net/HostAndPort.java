package io.homeport.net;

import java.net.InetSocketAddress;
import java.util.Optional;

/** A listen address as written in gateway.yaml: {@code host:port}, {@code [v6]:port} or {@code :port}. */
public record HostAndPort(String host, int port) {

    /** Empty when {@code text} is not {@code host:port} with a port in 0..65535 (0: any free port). */
    public static Optional<HostAndPort> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0 || colon == text.length() - 1) {
            return Optional.empty();
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            return Optional.empty(); // a bare IPv6 address needs brackets
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            return port >= 0 && port <= 65535 ? Optional.of(new HostAndPort(host, port)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + port;
    }
}
