package io.homeport.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.residency.MigrationBucket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The allocation-free IPv6 parser against the general one ({@link IpAddresses#parseLiteral}, the
 * JDK's): it accepts nothing the general parser refuses and agrees on every address it accepts;
 * the bit forms of the address class, hash and bucket agree with the {@link InetAddress} forms.
 */
class Ipv6FastPathTest {

    /** What the fast parser says of {@code text}: the address, or empty when it leaves the text to the general path. */
    private static Optional<InetAddress> fast(String text) {
        long[] bits = {7, 7};
        if (!IpAddresses.parseIpv6(text, 0, text.length(), bits)) {
            assertThat(bits).as("unchanged when refused").containsExactly(7, 7);
            return Optional.empty();
        }
        return Optional.of(IpAddresses.ipv6(bits[0], bits[1]));
    }

    private static void agrees(String text) {
        Optional<InetAddress> fast = fast(text);
        if (fast.isPresent()) {
            assertThat(IpAddresses.parseLiteral(text)).as("the general parser on %s", text).isEqualTo(fast);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "fe80::1", "::0.0.0.1",
        "::ffff:1.2.3.4", "::FFFF:1.2.3.4", "::ffff:0102:0304", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:1.2.3.4", "1::2:3:4:5:6:7", "2404:6800:4003:c00::8a", "2409:4042:2d8b:1b45::ab3:7d0a",
        "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "0:0:0:0:0:0:0:0", "0001:0002:0003:0004:0005:0006:0007:0008"})
    void acceptsWhatTheGeneralParserAcceptsAlike(String text) {
        assertThat(fast(text)).as(text).isPresent();
        agrees(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
        "12345::", "g::1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", ":1:2:3:4:5:6:7:8", "::1.2.3", "::1.2.3.4.5",
        "::01.2.3.4", "1.2.3.4::", "::1.2.3.4:5", "[::1]", "fe80::1%eth0", " ::1", "::1 ", "::ffff: 1.2.3.4",
        "1:2:3:4:5:6:7:1.2.3.4", "::１", "2001:db8::1/64"})
    void leavesAnythingElseToTheGeneralPath(String text) {
        assertThat(fast(text)).as(text).isEmpty();
    }

    @Property(tries = 3000)
    void agreesWithTheGeneralParserOnRandomAddresses(@ForAll("addresses") InetAddress address) {
        String canonical = IpAddresses.toText(address);
        assertThat(fast(canonical)).contains(address);
        String full = address.getHostAddress();
        assertThat(fast(full)).contains(address);
    }

    @Property(tries = 3000)
    void neverAcceptsWhatTheGeneralParserRefuses(@ForAll("mangled") String text) {
        agrees(text);
    }

    @Property(tries = 2000)
    void bitFormsAgreeWithTheAddressForms(@ForAll("addresses") InetAddress address) {
        Inet6Address v6 = (Inet6Address) address;
        long high = IpAddresses.high(v6);
        long low = IpAddresses.low(v6);
        assertThat(IpAddresses.ipv6(high, low)).isEqualTo(address);
        assertThat(IpAddresses.isNonPublicIpv6(high, low)).isEqualTo(IpAddresses.isNonPublic(address));
        assertThat(MigrationBucket.ofIpv6(high, low)).isEqualTo(MigrationBucket.of(address));
    }

    @Provide
    Arbitrary<InetAddress> addresses() {
        // Zero runs of every length (so "::" lands everywhere), and the special blocks the class checks name.
        Arbitrary<Integer> group = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 0xffff),
                Arbitraries.of(0xfe80, 0xfec0, 0xfc00, 0xfd12, 0xff02, 0x2001, 0x0db8, 0xffff));
        return group.list().ofSize(8).map(groups -> {
            byte[] bytes = new byte[16];
            for (int i = 0; i < 8; i++) {
                bytes[2 * i] = (byte) (groups.get(i) >>> 8);
                bytes[2 * i + 1] = (byte) (int) groups.get(i);
            }
            try {
                InetAddress address = InetAddress.getByAddress(bytes);
                return address instanceof Inet6Address ? address : InetAddress.getByName("::2");
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Provide
    Arbitrary<String> mangled() {
        Arbitrary<String> valid = addresses().map(IpAddresses::toText);
        Arbitrary<Character> noise = Arbitraries.of(':', '.', '0', '1', 'f', 'g', 'F', ' ', '%', '[', ']', '9');
        return Combinators.combine(valid, Arbitraries.integers().between(0, 40), noise, Arbitraries.integers().between(0, 2))
                .as((text, at, c, how) -> {
                    int i = Math.min(at, text.length());
                    return switch (how) {
                        case 0 -> text.substring(0, i) + c + text.substring(i); // insert
                        case 1 -> i < text.length() ? text.substring(0, i) + text.substring(i + 1) : text + c; // delete
                        default -> i < text.length() ? text.substring(0, i) + c + text.substring(i + 1) : c + text; // replace
                    };
                });
    }
}
