package io.homeport.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.routing.IpAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * {@link IpAddresses#parseLiteral}, which every client-supplied address goes through: it never
 * throws, never takes a name for an address (a name would mean a DNS lookup on the event loop),
 * and reads back exactly the addresses it writes.
 */
class IpLiteralFuzzTest {

    @Property(tries = 2000, seed = "20261125")
    void neverThrowsAndWhatItReadsItWritesBack(@ForAll("addressLike") String text) {
        Optional<InetAddress> parsed = IpAddresses.parseLiteral(text);

        parsed.ifPresent(address -> assertThat(IpAddresses.parseLiteral(IpAddresses.toText(address))).as(text).hasValue(address));
    }

    @Property(tries = 2000, seed = "20261125")
    void anythingWithALetterBeyondHexIsNotAnAddress(@ForAll("names") String name) {
        assertThat(IpAddresses.parseLiteral(name)).as(name).isEmpty();
    }

    @Property(tries = 2000, seed = "20261125")
    void readsEveryIpv4Address(@ForAll @Size(4) byte[] octets) throws UnknownHostException {
        InetAddress expected = InetAddress.getByAddress(octets);
        String dotted = (octets[0] & 0xff) + "." + (octets[1] & 0xff) + "." + (octets[2] & 0xff) + "." + (octets[3] & 0xff);

        assertThat(IpAddresses.parseLiteral(dotted)).hasValue(expected);
        assertThat(IpAddresses.toText(expected)).isEqualTo(dotted);
    }

    @Property(tries = 2000, seed = "20261125")
    void readsEveryIpv6AddressInEveryWriting(@ForAll @Size(16) byte[] bytes) throws UnknownHostException {
        InetAddress expected = InetAddress.getByAddress(bytes); // IPv4-mapped ones come back as IPv4, as parseLiteral's do
        StringBuilder full = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            full.append(i == 0 ? "" : ":").append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)));
        }

        assertThat(IpAddresses.parseLiteral(full.toString())).as(full.toString()).hasValue(expected);
        assertThat(IpAddresses.parseLiteral("[" + full + "]")).hasValue(expected);
        assertThat(IpAddresses.parseLiteral(full.toString().toUpperCase())).hasValue(expected);
        assertThat(IpAddresses.parseLiteral(IpAddresses.toText(expected))).hasValue(expected);
    }

    @Provide
    Arbitrary<String> addressLike() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789.").ofMaxLength(20),
                Arbitraries.strings().withChars("0123456789abcdefABCDEF:.[]%").ofMaxLength(50),
                Arbitraries.strings().ofMaxLength(50));
    }

    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> hostish = Arbitraries.strings().withChars("abcdef0123456789.:-").ofMaxLength(20);
        return net.jqwik.api.Combinators.combine(hostish, Arbitraries.chars().range('g', 'z'), hostish)
                .as((before, letter, after) -> before + letter + after);
    }
}
