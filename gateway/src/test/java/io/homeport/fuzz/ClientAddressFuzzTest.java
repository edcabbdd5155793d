package io.homeport.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.net.Cidr;
import io.homeport.proxy.ClientAddressResolver;
import io.homeport.proxy.ClientIp;
import io.homeport.routing.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * X-Forwarded-For and Forwarded as a client or a chain of proxies might send them, garbage
 * included, against a model of the rule: from a trusted peer, the right-most hop that is not a
 * trusted proxy; the peer itself when a hop cannot be read or the chain is too long; never an
 * address the header does not hold.
 */
class ClientAddressFuzzTest {

    static final List<Cidr> TRUSTED = List.of(Cidr.parse("10.0.0.0/8").orElseThrow(), Cidr.parse("127.0.0.0/8").orElseThrow(),
            Cidr.parse("2001:db8::/32").orElseThrow());
    static final int MAX_HOPS = 32;

    final ClientAddressResolver resolver = new ClientAddressResolver(TRUSTED);

    /** One hop of a header: an address (written one of several ways) or something unreadable. */
    record Hop(InetAddress address, String text) {
        boolean readable() {
            return address != null;
        }
    }

    @Property(tries = 2000, seed = "20261125")
    void xForwardedForFollowsTheModel(@ForAll("peers") InetAddress peer, @ForAll("xffChains") List<Hop> hops,
            @ForAll("separators") String separator) {
        String header = String.join(separator, hops.stream().map(Hop::text).toList());

        InetAddress resolved = resolver.resolve(peer, header, null);

        assertThat(resolved).as("peer %s, X-Forwarded-For [%s]", peer, header).isEqualTo(model(peer, hops));
        if (peer instanceof Inet4Address v4) {
            long fast = resolver.resolveIpv4(IpAddresses.bitsOf(v4), header, null);
            if (fast >= 0) {
                assertThat(IpAddresses.ipv4((int) fast)).as("fast path, X-Forwarded-For [%s]", header).isEqualTo(resolved);
                assertThat(ClientAddressResolver.sourceOfIpv4(fast, ClientIp.PROXY_PROTOCOL))
                        .isEqualTo(resolver.resolve(peer, ClientIp.PROXY_PROTOCOL, header, null).source());
            }
        }
    }

    @Property(tries = 2000, seed = "20261125")
    void forwardedFollowsTheModel(@ForAll("peers") InetAddress peer, @ForAll("forwardedChains") List<Hop> hops) {
        String header = String.join(", ", hops.stream().map(Hop::text).toList());

        assertThat(resolver.resolve(peer, null, header)).as("peer %s, Forwarded [%s]", peer, header).isEqualTo(model(peer, hops));
    }

    @Property(tries = 2000, seed = "20261125")
    void arbitraryTextNeverThrowsAndNeverOverridesAnUntrustedPeer(@ForAll("peers") InetAddress peer,
            @ForAll("noise") String xff, @ForAll("noise") String forwarded) {
        InetAddress resolved = resolver.resolve(peer, xff, forwarded);

        assertThat(resolved).isNotNull();
        if (!resolver.isTrusted(peer)) {
            assertThat(resolved).isEqualTo(peer);
        }
    }

    /** The rule, written out plainly over the generated hops. */
    InetAddress model(InetAddress peer, List<Hop> hops) {
        if (!resolver.isTrusted(peer) || hops.isEmpty()) {
            return peer;
        }
        InetAddress candidate = peer;
        for (int i = hops.size() - 1, seen = 0; i >= 0; i--, seen++) {
            if (seen == MAX_HOPS) {
                return peer; // longer than any real chain
            }
            Hop hop = hops.get(i);
            if (!hop.readable()) {
                return peer;
            }
            candidate = hop.address();
            if (!resolver.isTrusted(candidate)) {
                return candidate;
            }
        }
        return candidate;
    }

    @Provide
    Arbitrary<InetAddress> peers() {
        return Arbitraries.oneOf(trustedAddresses(), untrustedAddresses());
    }

    @Provide
    Arbitrary<List<Hop>> xffChains() {
        Arbitrary<Hop> unreadable = unreadable().map(text -> new Hop(null, text));
        return Arbitraries.frequencyOf(Tuple.of(4, readableHops()), Tuple.of(1, unreadable)).list().ofMaxSize(36);
    }

    @Provide
    Arbitrary<List<Hop>> forwardedChains() {
        Arbitrary<Hop> readable = Combinators.combine(readableHops(),
                Arbitraries.of(false, true), Arbitraries.of("", ";proto=https", "by=")).as((hop, quoted, extra) -> {
                    String value = quoted ? "\"" + hop.text().trim() + "\"" : hop.text().trim();
                    String element = extra.equals("by=") ? "by=x;for=" + value : "for=" + value + extra;
                    return new Hop(hop.address(), element);
                });
        Arbitrary<Hop> unreadable = Arbitraries.of("for=unknown", "for=_hidden", "proto=http", "for=", "for=\"\"", "For=garbage")
                .map(text -> new Hop(null, text));
        return Arbitraries.frequencyOf(Tuple.of(4, readable), Tuple.of(1, unreadable)).list().ofMaxSize(36);
    }

    @Provide
    Arbitrary<String> separators() {
        return Arbitraries.of(",", ", ", " , ", ",\t");
    }

    @Provide
    Arbitrary<String> noise() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789abcdef.:[],; =\"forFOR_-").ofMaxLength(80),
                Arbitraries.strings().ofMaxLength(80)).injectNull(0.1);
    }

    /** An address as a proxy might write it: plain, with a port, bracketed, padded. */
    private static Arbitrary<Hop> readableHops() {
        return Combinators.combine(addresses(), Arbitraries.of("", " ", "  "), Arbitraries.integers().between(0, 65535),
                Arbitraries.of(0, 1, 2)).as((address, pad, port, form) -> {
                    String text = IpAddresses.toText(address);
                    boolean v6 = text.indexOf(':') >= 0;
                    String written = switch (form) {
                        case 1 -> v6 ? "[" + text + "]:" + port : text + ":" + port;
                        case 2 -> v6 ? "[" + text + "]" : text;
                        default -> text;
                    };
                    return new Hop(address, pad + written + pad);
                });
    }

    private static Arbitrary<String> unreadable() {
        return Arbitraries.oneOf(
                Arbitraries.of("unknown", "_hidden", "256.0.0.1", "1.2.3", "010.0.0.1", "1.2.3.4.5", "[1.2.3.4]", "::g",
                        "fe80::1%eth0", "[2001:db8::1", "1.2.3.4:80:90", "localhost", "-", "1.2.3.4:http", "1.2.3.4:",
                        "[2001:db8::1]x", "[2001:db8::1]:", "[2001:db8::1]:123456", "[]"),
                Arbitraries.strings().withCharRange('g', 'z').ofMinLength(1).ofMaxLength(12));
    }

    private static Arbitrary<InetAddress> addresses() {
        return Arbitraries.oneOf(trustedAddresses(), untrustedAddresses());
    }

    private static Arbitrary<InetAddress> trustedAddresses() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(0, 0xffffff).map(low -> IpAddresses.ipv4((10 << 24) | low)),
                Arbitraries.integers().between(0, 0xffffff).map(low -> IpAddresses.ipv4((127 << 24) | low)),
                Arbitraries.integers().between(0, 0xffff).map(low -> v6("2001:db8::" + Integer.toHexString(low))));
    }

    private static Arbitrary<InetAddress> untrustedAddresses() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(1 << 24, (10 << 24) - 1).map(IpAddresses::ipv4),
                Arbitraries.integers().between(0, 0xffff).map(low -> v6("2400:da00::" + Integer.toHexString(low))));
    }

    private static InetAddress v6(String text) {
        return IpAddresses.parseLiteral(text).orElseThrow();
    }
}
