package io.homeport.routing;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** IP literals and address classes, without ever touching DNS. */
public final class IpAddresses {

    private IpAddresses() {}

    /**
     * Parses a dotted-quad IPv4 or an IPv6 literal (brackets allowed, zone ids refused). Never
     * resolves a name: anything else is empty. IPv4-mapped IPv6 comes back as IPv4.
     */
    public static Optional<InetAddress> parseLiteral(String text) {
        if (text == null || text.isEmpty() || text.length() > 45 + 2) {
            return Optional.empty();
        }
        String literal = text;
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
            if (literal.indexOf(':') < 0) {
                return Optional.empty(); // brackets are for IPv6 only
            }
        }
        try {
            if (literal.indexOf(':') >= 0) {
                if (literal.indexOf('%') >= 0 || literal.charAt(0) == '.' || !isIpv6Charset(literal)) {
                    return Optional.empty();
                }
                // A string with a colon is parsed as an IPv6 literal; no lookup is made.
                return Optional.of(InetAddress.getByName(literal));
            }
            byte[] octets = parseDottedQuad(literal);
            return octets == null ? Optional.empty() : Optional.of(InetAddress.getByAddress(octets));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * Parses a dotted-quad IPv4 address in {@code text[start, end)} without allocating: its 32
     * bits as a non-negative long, or -1 when it is not one. Leading zeros are refused, as by
     * {@link #parseLiteral}. Surrounding spaces and tabs are skipped.
     */
    public static long parseIpv4(CharSequence text, int start, int end) {
        while (start < end && isBlank(text.charAt(start))) {
            start++;
        }
        while (end > start && isBlank(text.charAt(end - 1))) {
            end--;
        }
        long address = 0;
        int octets = 0;
        int value = 0;
        int digits = 0;
        for (int i = start; i <= end; i++) {
            char c = i < end ? text.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || octets == 4) {
                    return -1;
                }
                address = (address << 8) | value;
                octets++;
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9' && digits < 3 && !(digits == 1 && value == 0)) {
                value = value * 10 + (c - '0');
                digits++;
                if (value > 255) {
                    return -1;
                }
            } else {
                return -1;
            }
        }
        return octets == 4 ? address : -1;
    }

    /**
     * The last comma-separated element of {@code text[0, end)}, when it is a plain dotted quad
     * (digits and dots, between spaces or tabs): its index packed with its 32 bits, {@code (long)
     * start << 32 | bits}, where {@code start} is where the element begins (after the comma, or 0).
     * Otherwise -1, and the caller must find the element and judge it the general way ({@link
     * #parseIpv4}). One pass from the right finds the comma and parses the octets together; it
     * never accepts what {@link #parseIpv4} refuses.
     */
    public static long parseLastIpv4(CharSequence text, int end) {
        while (end > 0 && isBlank(text.charAt(end - 1))) {
            end--;
        }
        int address = 0;
        int i = end; // one past the octet's last digit
        for (int shift = 0; shift < 32; shift += 8) {
            // An octet is one to three digits, and how many comes in no order a branch predictor
            // learns: the three characters before are read at once and counted without a branch.
            int d0 = decimalAt(text, i - 1);
            int d1 = decimalAt(text, i - 2);
            int d2 = decimalAt(text, i - 3);
            int run1 = ~d0 >>> 31; // 1 when d0 is a digit
            int run2 = run1 & ~d1 >>> 31;
            int run3 = run2 & ~d2 >>> 31;
            int value = d0 + (d1 * 10 & -run2) + (d2 * 100 & -run3);
            // A leading zero: two digits below 10, or three below 100.
            int leadingZero = (run3 & value - 100 >>> 31) | (run2 & value - 10 >>> 31);
            if (run1 == 0 || value > 255 || leadingZero != 0) {
                return -1;
            }
            address |= value << shift;
            i -= run1 + run2 + run3;
            if (shift < 24) {
                if (i == 0 || text.charAt(i - 1) != '.') {
                    return -1;
                }
                i--;
            }
        }
        while (i > 0 && isBlank(text.charAt(i - 1))) {
            i--;
        }
        if (i > 0 && text.charAt(i - 1) != ',') {
            return -1;
        }
        return (long) i << 32 | (address & 0xffff_ffffL);
    }

    /** The decimal digit at {@code index}, or -1 for anything else and before the text's start. */
    private static int decimalAt(CharSequence text, int index) {
        if (index < 0) {
            return -1;
        }
        int digit = text.charAt(index) - '0';
        return digit | ((9 - digit) | digit) >> 31; // -1 unless 0..9, without a branch
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** The upper 64 bits of an IPv4-mapped address ({@code ::ffff:a.b.c.d}) are 0; these are its next 32. */
    private static final long IPV4_MAPPED = 0x0000_ffff_0000_0000L;

    /** The lower 64 bits of the IPv4-mapped form of an IPv4 address (its upper 64 are 0). */
    public static long ipv4MappedLow(int address) {
        return IPV4_MAPPED | (address & 0xffff_ffffL);
    }

    /**
     * Parses an IPv6 literal in {@code text[start, end)} (RFC 4291 text: groups of one to four hex
     * digits, at most one {@code ::}, a dotted quad in the last 32 bits; no brackets, no zone) into
     * {@code out[0]} (the upper 64 bits) and {@code out[1]} (the lower), without allocating. False
     * when it is not one, and then {@code out} is unchanged: the caller's general path ({@link
     * #parseLiteral}) judges the text. It accepts nothing {@link #parseLiteral} refuses, and agrees
     * with it on every address it accepts ({@code Ipv6FastPathTest} holds it to that); an IPv4-mapped
     * address comes back as its 128 bits, which {@link #isIpv4Mapped} tells.
     */
    public static boolean parseIpv6(CharSequence text, int start, int end, long[] out) {
        if (end - start < 2 || end - start > 45) {
            return false;
        }
        long headHigh = 0;
        long headLow = 0;
        long tailHigh = 0;
        long tailLow = 0;
        int headGroups = 0;
        int tailGroups = 0;
        boolean compressed = false;
        int i = start;
        if (text.charAt(i) == ':') {
            if (text.charAt(i + 1) != ':') {
                return false;
            }
            compressed = true;
            i += 2;
        }
        while (i < end) {
            int groupStart = i;
            int value = 0;
            char c = 0;
            while (i < end && i - groupStart < 5) {
                c = text.charAt(i);
                int digit = hexDigit(c);
                if (digit < 0) {
                    break;
                }
                value = value << 4 | digit;
                i++;
            }
            int digits = i - groupStart;
            if (i < end && c == '.') {
                // The dotted quad of the last 32 bits: two groups, and nothing after it.
                long v4 = parseIpv4(text, groupStart, end);
                if (v4 < 0 || headGroups + tailGroups + 2 > (compressed ? 7 : 8) || isBlank(text.charAt(groupStart))
                        || isBlank(text.charAt(end - 1))) {
                    return false;
                }
                if (compressed) {
                    tailHigh = tailHigh << 32 | tailLow >>> 32;
                    tailLow = tailLow << 32 | v4;
                    tailGroups += 2;
                } else {
                    headHigh = headHigh << 32 | headLow >>> 32;
                    headLow = headLow << 32 | v4;
                    headGroups += 2;
                }
                i = end;
                break;
            }
            if (digits == 0 || digits > 4 || headGroups + tailGroups + 1 > (compressed ? 7 : 8)) {
                return false;
            }
            if (compressed) {
                tailHigh = tailHigh << 16 | tailLow >>> 48;
                tailLow = tailLow << 16 | value;
                tailGroups++;
            } else {
                headHigh = headHigh << 16 | headLow >>> 48;
                headLow = headLow << 16 | value;
                headGroups++;
            }
            if (i == end) {
                break;
            }
            if (c != ':' || i + 1 == end) {
                return false;
            }
            i++;
            if (text.charAt(i) == ':') {
                if (compressed) {
                    return false; // a second "::"
                }
                compressed = true;
                i++;
            }
        }
        if (compressed ? headGroups + tailGroups > 7 : headGroups != 8) {
            return false; // "::" stands for at least one group of zeros
        }
        // The head's groups move to the top; the tail's stay at the bottom; "::" is the zeros between.
        int shift = 16 * (8 - headGroups);
        long high;
        long low;
        if (shift == 0) {
            high = headHigh;
            low = headLow;
        } else if (shift < 64) {
            high = headHigh << shift | headLow >>> (64 - shift);
            low = headLow << shift;
        } else if (shift < 128) {
            high = headLow << (shift - 64);
            low = 0;
        } else {
            high = 0;
            low = 0;
        }
        out[0] = high | tailHigh;
        out[1] = low | tailLow;
        return true;
    }

    /** Hex digit values by ASCII code, -1 for anything else. */
    private static final byte[] HEX_VALUES = new byte[128];

    static {
        java.util.Arrays.fill(HEX_VALUES, (byte) -1);
        for (int i = 0; i < 16; i++) {
            HEX_VALUES["0123456789abcdef".charAt(i)] = (byte) i;
            HEX_VALUES["0123456789ABCDEF".charAt(i)] = (byte) i;
        }
    }

    /**
     * The value of an ASCII hex digit, or -1. A table, not comparisons: in an address, digits and
     * letters come in no order a branch predictor learns, and a mispredicted branch per character
     * made the parse take four times as long.
     */
    private static int hexDigit(char c) {
        return c < 128 ? HEX_VALUES[c] : -1;
    }

    /** Whether 128 bits are an IPv4-mapped address, {@code ::ffff:a.b.c.d}: Java's {@link InetAddress} calls it IPv4. */
    public static boolean isIpv4Mapped(long high, long low) {
        return high == 0 && (low & 0xffff_ffff_0000_0000L) == IPV4_MAPPED;
    }

    /** The address for 128 bits; an IPv4-mapped one comes back as IPv4, as from {@link #parseLiteral}. */
    public static InetAddress ipv6(long high, long low) {
        if (isIpv4Mapped(high, low)) {
            return ipv4((int) low);
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (high >>> (56 - 8 * i));
            bytes[i + 8] = (byte) (low >>> (56 - 8 * i));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
    }

    /** The upper 64 bits of an IPv6 address. */
    public static long high(Inet6Address address) {
        return bits(address.getAddress(), 0);
    }

    /** The lower 64 bits of an IPv6 address. */
    public static long low(Inet6Address address) {
        return bits(address.getAddress(), 8);
    }

    /** Both halves of an IPv6 address into {@code out}, from one copy of its bytes (the hot path's form). */
    public static void bitsOf(Inet6Address address, long[] out) {
        byte[] bytes = address.getAddress();
        out[0] = bits(bytes, 0);
        out[1] = bits(bytes, 8);
    }

    private static long bits(byte[] bytes, int from) {
        long bits = 0;
        for (int i = from; i < from + 8; i++) {
            bits = bits << 8 | (bytes[i] & 0xff);
        }
        return bits;
    }

    /**
     * {@link #isNonPublic(InetAddress)} for an IPv6 address's 128 bits (not IPv4-mapped), without
     * allocating: unspecified, loopback, link-local ({@code fe80::/10}), site-local ({@code
     * fec0::/10}), multicast, unique local ({@code fc00::/7}) or documentation ({@code 2001:db8::/32}).
     */
    public static boolean isNonPublicIpv6(long high, long low) {
        int first = (int) (high >>> 56);
        return (high == 0 && (low == 0 || low == 1))
                || (high >>> 54) == (0xfe80L >>> 6)
                || (high >>> 54) == (0xfec0L >>> 6)
                || first == 0xff
                || (first & 0xfe) == 0xfc
                || (high >>> 32) == 0x2001_0db8L;
    }

    /** The address for 32 IPv4 bits. */
    public static InetAddress ipv4(int address) {
        try {
            return InetAddress.getByAddress(new byte[] {
                (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    /** The 32 bits of an IPv4 address. */
    public static int ipv4Bits(Inet4Address address) {
        byte[] bytes = address.getAddress();
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    /**
     * The 32 bits of an IPv4 address without allocating. {@code Inet4Address.hashCode()} is its
     * address, in every JDK since 1.0; {@code IpAddressesTest} holds it to that.
     */
    public static int bitsOf(Inet4Address address) {
        return address.hashCode();
    }

    /** {@link #isNonPublic(InetAddress)} for IPv4 bits, without allocating. */
    public static boolean isNonPublicIpv4(int address) {
        int a = address >>> 24;
        if ((NON_PUBLIC_FIRST_OCTETS[a >>> 6] & 1L << a) == 0) {
            return false; // the common case: a first octet no non-public block starts with
        }
        int b = (address >>> 16) & 0xff;
        int c = (address >>> 8) & 0xff;
        return a == 0 || a == 10 || a == 127
                || (a == 169 && b == 254)
                || (a == 172 && (b & 0xf0) == 16)
                || (a == 192 && b == 168)
                || (a == 100 && (b & 0xc0) == 64)
                || (a == 192 && b == 0 && c == 2)
                || (a == 198 && (b == 18 || b == 19))
                || (a == 198 && b == 51 && c == 100)
                || (a == 203 && b == 0 && c == 113)
                || a >= 224;
    }

    /** Bit {@code a} set when some non-public block below has first octet {@code a}. */
    private static final long[] NON_PUBLIC_FIRST_OCTETS = new long[4];

    static {
        for (int a : new int[] {0, 10, 100, 127, 169, 172, 192, 198, 203}) {
            NON_PUBLIC_FIRST_OCTETS[a >>> 6] |= 1L << a;
        }
        for (int a = 224; a < 256; a++) {
            NON_PUBLIC_FIRST_OCTETS[a >>> 6] |= 1L << a;
        }
    }

    private static boolean isIpv6Charset(String literal) {
        for (int i = 0; i < literal.length(); i++) {
            char c = literal.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static byte[] parseDottedQuad(String text) {
        byte[] octets = new byte[4];
        int octet = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || octet == 4) {
                    return null;
                }
                octets[octet++] = (byte) value;
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9' && digits < 3 && !(digits == 1 && value == 0)) {
                // no leading zeros: "010" is octal to inet_aton and decimal to others, so it is refused
                value = value * 10 + (c - '0');
                digits++;
                if (value > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return octet == 4 ? octets : null;
    }

    /** The canonical text of an address: dotted quad, or RFC 5952 compressed IPv6 ({@code 2001:db8::1}). */
    public static String toText(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        // The longest run of two or more zero groups (the first, on a tie) becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /**
     * Whether the address can have no meaningful country: private (RFC 1918, ULA), loopback,
     * link-local, unspecified, CGNAT (100.64.0.0/10), multicast, or documentation ranges.
     */
    public static boolean isNonPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int a = bytes[0] & 0xff;
            int b = bytes[1] & 0xff;
            int c = bytes[2] & 0xff;
            return a == 0
                    || (a == 100 && (b & 0xc0) == 64)
                    || (a == 192 && b == 0 && c == 2)
                    || (a == 198 && (b == 18 || b == 19))
                    || (a == 198 && b == 51 && c == 100)
                    || (a == 203 && b == 0 && c == 113)
                    || a >= 240;
        }
        if (address instanceof Inet6Address) {
            int first = bytes[0] & 0xff;
            boolean uniqueLocal = (first & 0xfe) == 0xfc;
            boolean documentation = first == 0x20 && bytes[1] == 0x01 && (bytes[2] & 0xff) == 0x0d && (bytes[3] & 0xff) == 0xb8;
            return uniqueLocal || documentation;
        }
        return false;
    }
}
