package io.homeport.accesslog;

import io.homeport.routing.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** What the access log may keep of a person: a client's network, never its address; a user id's hash. */
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
        if (address instanceof Inet4Address v4) {
            int bits = IpAddresses.bitsOf(v4);
            return text.append(bits >>> 24).append('.').append(bits >>> 16 & 0xff).append('.').append(bits >>> 8 & 0xff)
                    .append(".0/24");
        }
        return text.append(network(address));
    }

    /** The first 16 hex digits of the id's SHA-256: joins one user's lines without naming the user. */
    public static String userHash(String userId) {
        byte[] digest = SHA_256.get().digest(userId.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 8);
    }

    /** One digest per thread: looking one up per line costs more than the hashing. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    });
}
