package io.homeport.accesslog;

import io.homeport.routing.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What the access log may keep of a person: a client's network, never its address (a user id is
 * kept only as its keyed hash: {@link UserHashKey}).
 */
public final class Anonymizer {

    private Anonymizer() {}

    /** IPv4 truncated to its /24, IPv6 to its /48, e.g. {@code 1.2.4.0/24}. */
    public static String network(InetAddress address) {
        byte[] bytes = address.getAddress();
        int keepBytes = address instanceof Inet4Address ? 3 : 6;
        for (int i = keepBytes; i < bytes.length; i++) {
            bytes[i] = 0;
        }
        try {
            return IpAddresses.toText(InetAddress.getByAddress(bytes)) + '/' + keepBytes * 8;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
        }
    }

    /** Appends {@link #network} to {@code text}; an IPv4 client costs no intermediate objects. */
    public static StringBuilder appendNetwork(StringBuilder text, InetAddress address) {
        if (address == null) {
            return text.append("unknown"); // a connection without an IP peer (tests' embedded channels)
        }
        if (address instanceof Inet4Address v4) {
            int bits = IpAddresses.bitsOf(v4);
            return text.append(bits >>> 24).append('.').append(bits >>> 16 & 0xff).append('.').append(bits >>> 8 & 0xff)
                    .append(".0/24");
        }
        byte[] bytes = address.getAddress(); // an IPv6 address: its /48, written as network(...) would
        int[] groups = {(bytes[0] & 0xff) << 8 | (bytes[1] & 0xff), (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff),
            (bytes[4] & 0xff) << 8 | (bytes[5] & 0xff)};
        // The zeros from the last non-zero group on are the longest run (at least five groups): "::".
        int kept = groups[2] != 0 ? 3 : groups[1] != 0 ? 2 : groups[0] != 0 ? 1 : 0;
        for (int i = 0; i < kept; i++) {
            if (i > 0) {
                text.append(':');
            }
            appendHex(text, groups[i]);
        }
        return text.append("::/48");
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** {@code value} (16 bits) in lower-case hex without leading zeros, as {@link Integer#toHexString}. */
    private static void appendHex(StringBuilder text, int value) {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int digit = value >>> shift & 0xf;
            if (digit != 0 || started || shift == 0) {
                text.append(HEX[digit]);
                started = true;
            }
        }
    }
}
