package io.homeport.proxy;

import java.util.Locale;

/**
 * Where a request's client address came from: the socket, a PROXY protocol header, or a hop of
 * X-Forwarded-For or Forwarded ({@code hop} counts from the right, 0 being the hop the trusted peer
 * added last). For the access log ({@code client_ip_source}, {@code client_ip_hop}), metrics and
 * audits. Instances are shared: the hot path allocates none.
 */
public record ClientIp(Source source, int hop) {

    public enum Source {
        SOCKET, PROXY_PROTOCOL, X_FORWARDED_FOR, FORWARDED;

        private final String label = name().toLowerCase(Locale.ROOT);

        public String label() {
            return label;
        }
    }

    public static final ClientIp SOCKET = new ClientIp(Source.SOCKET, -1);
    public static final ClientIp PROXY_PROTOCOL = new ClientIp(Source.PROXY_PROTOCOL, -1);

    private static final ClientIp[] X_FORWARDED_FOR = hops(Source.X_FORWARDED_FOR);
    private static final ClientIp[] FORWARDED = hops(Source.FORWARDED);

    private static ClientIp[] hops(Source source) {
        ClientIp[] hops = new ClientIp[ClientAddressResolver.MAX_HOPS];
        for (int hop = 0; hop < hops.length; hop++) {
            hops[hop] = new ClientIp(source, hop);
        }
        return hops;
    }

    /** Hop {@code hop} (from the right, 0 to {@link ClientAddressResolver#MAX_HOPS} - 1) of X-Forwarded-For. */
    public static ClientIp xForwardedFor(int hop) {
        return X_FORWARDED_FOR[hop];
    }

    /** Hop {@code hop} (from the right) of Forwarded's {@code for=}. */
    public static ClientIp forwarded(int hop) {
        return FORWARDED[hop];
    }

    /** The socket peer's own source: a PROXY protocol header's address, or the socket's. */
    public static ClientIp peer(boolean proxyProtocol) {
        return proxyProtocol ? PROXY_PROTOCOL : SOCKET;
    }

    public boolean fromHeader() {
        return hop >= 0;
    }
}
