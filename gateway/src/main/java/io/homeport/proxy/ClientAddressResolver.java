package io.homeport.proxy;

import io.homeport.net.Cidr;
import io.homeport.routing.IpAddresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Works out the client's address. It is the socket peer, unless the peer is a trusted proxy: then
 * it is the right-most address of X-Forwarded-For (or Forwarded's {@code for=}) that is not itself
 * a trusted proxy. Anything unparsable falls back to the peer, so a garbage header can neither
 * crash a request nor route it somewhere chosen by the sender.
 */
public final class ClientAddressResolver {

    /** More entries than any real proxy chain; a longer header is garbage or an attack. */
    static final int MAX_HOPS = 32;

    private final List<Cidr> trustedProxies;

    /** The IPv4 trusted blocks as plain masks and networks, for the allocation-free path. */
    private final int[] trustedIpv4Masks;
    private final int[] trustedIpv4Networks;
    /** The IPv6 trusted blocks as 128-bit masks and networks, upper and lower halves. */
    private final long[] trustedIpv6Masks;
    private final long[] trustedIpv6Networks;
    /** The clients of X-Forwarded-For values resolved before; null when no peer is trusted (none is read). */
    private final ForwardedForMemo memo;

    public ClientAddressResolver(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
        this.memo = this.trustedProxies.isEmpty() ? null : new ForwardedForMemo();
        List<Cidr> ipv4 = this.trustedProxies.stream().filter(c -> c.network() instanceof Inet4Address).toList();
        this.trustedIpv4Masks = new int[ipv4.size()];
        this.trustedIpv4Networks = new int[ipv4.size()];
        for (int i = 0; i < ipv4.size(); i++) {
            int prefix = ipv4.get(i).prefixLength();
            trustedIpv4Masks[i] = prefix == 0 ? 0 : -1 << (32 - prefix);
            trustedIpv4Networks[i] = IpAddresses.bitsOf((Inet4Address) ipv4.get(i).network()) & trustedIpv4Masks[i];
        }
        List<Cidr> ipv6 = this.trustedProxies.stream().filter(c -> c.network() instanceof Inet6Address).toList();
        this.trustedIpv6Masks = new long[2 * ipv6.size()];
        this.trustedIpv6Networks = new long[2 * ipv6.size()];
        for (int i = 0; i < ipv6.size(); i++) {
            int prefix = ipv6.get(i).prefixLength();
            long highMask = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
            long lowMask = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
            Inet6Address network = (Inet6Address) ipv6.get(i).network();
            trustedIpv6Masks[2 * i] = highMask;
            trustedIpv6Masks[2 * i + 1] = lowMask;
            trustedIpv6Networks[2 * i] = IpAddresses.high(network) & highMask;
            trustedIpv6Networks[2 * i + 1] = IpAddresses.low(network) & lowMask;
        }
    }

    public boolean isTrusted(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return isTrustedIpv4(IpAddresses.bitsOf(v4)); // an IPv4 address is only in IPv4 blocks; no byte[] copies
        }
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** What {@link #resolveBits} found for X-Forwarded-For values from trusted peers, or null when none is trusted. */
    public ForwardedForMemo memo() {
        return memo;
    }

    /** The client's address and where it came from. */
    public record Resolved(InetAddress address, ClientIp source) {}

    /**
     * @param xForwardedFor the X-Forwarded-For header value(s) joined with commas, or null
     * @param forwarded the Forwarded header value(s) joined with commas, or null
     */
    public InetAddress resolve(InetAddress peer, String xForwardedFor, String forwarded) {
        return resolve(peer, ClientIp.SOCKET, xForwardedFor, forwarded).address();
    }

    /** {@link #resolve(InetAddress, String, String)} with the source: {@code peerSource} when it is the peer. */
    public Resolved resolve(InetAddress peer, ClientIp peerSource, String xForwardedFor, String forwarded) {
        if (!isTrusted(peer)) {
            return new Resolved(peer, peerSource);
        }
        if (xForwardedFor != null) {
            return rightMostUntrusted(peer, peerSource, xForwardedFor, false);
        }
        if (forwarded != null) {
            return rightMostUntrusted(peer, peerSource, forwarded, true);
        }
        return new Resolved(peer, peerSource);
    }

    private Resolved rightMostUntrusted(InetAddress peer, ClientIp peerSource, String header, boolean forwardedSyntax) {
        Resolved candidate = new Resolved(peer, peerSource);
        int end = header.length();
        for (int hop = 0; hop < MAX_HOPS && end > 0; hop++) {
            int start = header.lastIndexOf(',', end - 1) + 1;
            String element = header.substring(start, end).trim();
            String text = forwardedSyntax ? forValue(element) : element;
            InetAddress address = text == null ? null : parseNode(text);
            if (address == null) {
                return new Resolved(peer, peerSource); // a hop we cannot read: trust nothing to its left
            }
            candidate = new Resolved(address, forwardedSyntax ? ClientIp.forwarded(hop) : ClientIp.xForwardedFor(hop));
            if (!isTrusted(address)) {
                return candidate;
            }
            end = start - 1;
        }
        return end > 0 ? new Resolved(peer, peerSource) : candidate;
    }

    /**
     * The hops of a Forwarded header's {@code for=} values as an X-Forwarded-For list, for the
     * upstream: an address as text, anything else (an obfuscated identifier, {@code unknown})
     * as {@code unknown}; null when there is none.
     */
    public static String forwardedChain(String forwarded) {
        if (forwarded == null || forwarded.isBlank()) {
            return null;
        }
        StringBuilder chain = new StringBuilder();
        int hops = 0;
        for (String element : forwarded.split(",", MAX_HOPS + 1)) {
            if (++hops > MAX_HOPS) {
                break;
            }
            String value = forValue(element.trim());
            InetAddress address = value == null ? null : parseNode(value);
            if (chain.length() > 0) {
                chain.append(", ");
            }
            chain.append(address == null ? "unknown" : IpAddresses.toText(address));
        }
        return chain.toString();
    }

    /** Which hop {@link #resolveIpv4} took: the bits above the address; 0 for the peer itself, else hop + 1. */
    public static ClientIp sourceOfIpv4(long resolved, ClientIp peerSource) {
        int hopPlusOne = (int) (resolved >>> 32);
        return hopPlusOne == 0 ? peerSource : ClientIp.xForwardedFor(hopPlusOne - 1);
    }

    /**
     * The allocation-free path for the common case: an IPv4 peer and, if the peer is trusted, an
     * X-Forwarded-For of plain IPv4 addresses. Returns the client's IPv4 bits in the low 32 bits and
     * which X-Forwarded-For hop gave them above ({@link #sourceOfIpv4}), or -1 when the answer needs
     * the general {@link #resolve} (IPv6, ports, Forwarded, anything unusual).
     */
    public long resolveIpv4(int peer, CharSequence xForwardedFor, CharSequence forwarded) {
        if (!isTrustedIpv4(peer)) {
            return peer & 0xffff_ffffL;
        }
        if (xForwardedFor == null) {
            return forwarded == null ? peer & 0xffff_ffffL : -1;
        }
        int end = xForwardedFor.length();
        long candidate = -1;
        for (int hop = 0; hop < MAX_HOPS && end > 0; hop++) {
            int start;
            long address;
            long plain = IpAddresses.parseLastIpv4(xForwardedFor, end);
            if (plain >= 0) { // the common case, one pass: a bare dotted quad
                start = (int) (plain >>> 32) - 1;
                address = plain & 0xffff_ffffL;
            } else {
                start = end - 1;
                while (start >= 0 && xForwardedFor.charAt(start) != ',') {
                    start--;
                }
                address = IpAddresses.parseIpv4(xForwardedFor, start + 1, end);
            }
            if (address < 0) {
                return -1; // not a plain IPv4 hop: let the general path judge it
            }
            candidate = address | (long) (hop + 1) << 32;
            if (!isTrustedIpv4((int) address)) {
                return candidate;
            }
            end = start;
        }
        return end > 0 ? -1 : candidate;
    }

    /** {@link #resolveBits}: the general {@link #resolve} must judge this request (Forwarded, ports, anything unusual). */
    public static final int GENERAL = -2;
    /** {@link #resolveBits}: the client is the peer itself. */
    public static final int PEER = -1;

    /**
     * The allocation-free path for any mix of IPv4 and IPv6, which {@link #resolveIpv4} leaves:
     * the peer's address and, if the peer is trusted, an X-Forwarded-For of plain address literals.
     * The client's 128 bits go to {@code out} (an IPv4 address in its IPv4-mapped form, {@link
     * IpAddresses#isIpv4Mapped}); returns the X-Forwarded-For hop that gave them, {@link #PEER}, or
     * {@link #GENERAL} when the answer needs {@link #resolve} (and then {@code out} means nothing).
     * Agrees with {@link #resolve} whenever it answers ({@code ClientAddressFastPathTest}).
     */
    public int resolveBits(InetAddress peer, CharSequence xForwardedFor, CharSequence forwarded, long[] out) {
        if (peer instanceof Inet4Address v4) {
            out[0] = 0;
            out[1] = IpAddresses.ipv4MappedLow(IpAddresses.bitsOf(v4));
        } else {
            IpAddresses.bitsOf((Inet6Address) peer, out);
        }
        long peerHigh = out[0];
        long peerLow = out[1];
        if (!isTrustedBits(peerHigh, peerLow)) {
            return PEER;
        }
        if (xForwardedFor == null) {
            return forwarded == null ? PEER : GENERAL;
        }
        int end = xForwardedFor.length();
        int found = GENERAL;
        for (int hop = 0; hop < MAX_HOPS && end > 0; hop++) {
            int start;
            // Most headers carry one hop: the whole header is tried first, which saves the search for
            // a comma; a literal has none, so a header of several hops fails it at its first comma.
            if (hop == 0 && parseHop(xForwardedFor, 0, end, out)) {
                start = -1;
            } else {
                start = lastComma(xForwardedFor, end);
                if (!parseHop(xForwardedFor, start + 1, end, out)) {
                    return GENERAL; // not a plain address: the general path judges it
                }
            }
            found = hop;
            if (!isTrustedBits(out[0], out[1])) {
                return hop;
            }
            end = start;
        }
        if (end > 0 || found == GENERAL) {
            out[0] = peerHigh; // more hops than MAX_HOPS, all trusted: the peer, as resolve() says
            out[1] = peerLow;
            return PEER;
        }
        return found;
    }

    /** The index of the last comma before {@code end}, or -1: a String searches its own bytes. */
    private static int lastComma(CharSequence text, int end) {
        if (text instanceof String string) {
            return string.lastIndexOf(',', end - 1);
        }
        int index = end - 1;
        while (index >= 0 && text.charAt(index) != ',') {
            index--;
        }
        return index;
    }

    /** One hop, between optional blanks, as a plain IPv4 or IPv6 literal into {@code out}; false for anything else. */
    private static boolean parseHop(CharSequence text, int from, int to, long[] out) {
        while (from < to && text.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && text.charAt(to - 1) <= ' ') {
            to--;
        }
        // An IPv4 literal has at most 15 characters, and the IPv4 parser stops at the first colon,
        // so no pass looks for a colon first; what is neither literal goes to the general path.
        return to - from <= 15 && parseIpv4Hop(text, from, to, out) || IpAddresses.parseIpv6(text, from, to, out);
    }

    /** One hop as a plain IPv4 literal into {@code out}, in its IPv4-mapped form; false for anything else. */
    private static boolean parseIpv4Hop(CharSequence text, int from, int to, long[] out) {
        long v4 = IpAddresses.parseIpv4(text, from, to);
        if (v4 < 0) {
            return false;
        }
        out[0] = 0;
        out[1] = IpAddresses.ipv4MappedLow((int) v4);
        return true;
    }

    /** Whether 128 bits (IPv4 in its mapped form) are in a trusted block of their own family. */
    private boolean isTrustedBits(long high, long low) {
        if (IpAddresses.isIpv4Mapped(high, low)) {
            return isTrustedIpv4((int) low);
        }
        for (int i = 0; i < trustedIpv6Masks.length; i += 2) {
            if ((high & trustedIpv6Masks[i]) == trustedIpv6Networks[i] && (low & trustedIpv6Masks[i + 1]) == trustedIpv6Networks[i + 1]) {
                return true;
            }
        }
        return false;
    }

    private boolean isTrustedIpv4(int address) {
        for (int i = 0; i < trustedIpv4Networks.length; i++) {
            if ((address & trustedIpv4Masks[i]) == trustedIpv4Networks[i]) {
                return true;
            }
        }
        return false;
    }

    /** The {@code for=} parameter of one Forwarded element, unquoted; null if absent. */
    static String forValue(String element) {
        for (String pair : element.split(";", 8)) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).trim().equalsIgnoreCase("for")) {
                String value = pair.substring(equals + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value;
            }
        }
        return null;
    }

    /** An address with an optional port: {@code 1.2.3.4}, {@code 1.2.3.4:5678}, {@code [2001:db8::1]:443}, {@code 2001:db8::1}. */
    static InetAddress parseNode(String text) {
        String host = text;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            int colon = host.indexOf(':');
            if (close < 0 || colon < 0 || colon > close || !isPortSuffix(host, close + 1)) {
                return null; // brackets are for IPv6 only, and only a port may follow them
            }
            host = host.substring(1, close);
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') > 0) {
            int colon = host.indexOf(':');
            if (!isPortSuffix(host, colon)) {
                return null;
            }
            host = host.substring(0, colon); // IPv4 with a port
        }
        return IpAddresses.parseLiteral(host).orElse(null);
    }

    /** Nothing from {@code from} on, or {@code :} and one to five digits. */
    private static boolean isPortSuffix(String text, int from) {
        int digits = text.length() - from - 1;
        if (from == text.length()) {
            return true;
        }
        if (text.charAt(from) != ':' || digits < 1 || digits > 5) {
            return false;
        }
        for (int i = from + 1; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
