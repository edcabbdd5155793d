package io.homeport.net;

import io.homeport.routing.IpAddresses;
import java.net.InetAddress;
import java.util.Optional;

/** An address block such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a /32 or /128. */
public record Cidr(InetAddress network, int prefixLength) {

    public static Optional<Cidr> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        Optional<InetAddress> address = IpAddresses.parseLiteral(slash < 0 ? text : text.substring(0, slash));
        if (address.isEmpty()) {
            return Optional.empty();
        }
        int maxBits = address.get().getAddress().length * 8;
        int bits = maxBits;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (bits < 0 || bits > maxBits) {
                return Optional.empty();
            }
        }
        return Optional.of(new Cidr(address.get(), bits));
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        byte[] base = network.getAddress();
        if (candidate.length != base.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (candidate[i] != base[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (candidate[full] & mask) == (base[full] & mask);
    }

    @Override
    public String toString() {
        return IpAddresses.toText(network) + '/' + prefixLength;
    }
}
