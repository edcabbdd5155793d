package io.homeport.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.residency.MigrationBucket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The allocation-free IPv4 helpers agree with the InetAddress-based ones they stand in for. */
class Ipv4FastPathTest {

    @ParameterizedTest
    @ValueSource(strings = {"1.2.4.8", "0.0.0.0", "255.255.255.255", "10.0.0.1", "8.8.8.8", " 8.8.8.8 "})
    void parsesWhatParseLiteralParses(String text) {
        long bits = IpAddresses.parseIpv4(text, 0, text.length());
        InetAddress expected = IpAddresses.parseLiteral(text.trim()).orElseThrow();
        assertThat(bits).isNotNegative();
        assertThat(IpAddresses.ipv4((int) bits)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "a.b.c.d", "1.2.3.4:80", "::1", "1.2.3.-4"})
    void refusesWhatIsNotADottedQuad(String text) {
        assertThat(IpAddresses.parseIpv4(text, 0, text.length())).isEqualTo(-1);
    }

    @Test
    void parsesARangeInsideALongerHeader() {
        String header = "8.8.8.8, 1.2.4.8";
        assertThat(IpAddresses.parseIpv4(header, 8, header.length())).isEqualTo(0x01020408L);
    }

    @Test
    void agreesWithTheInetAddressPathOnRandomAddresses() {
        Random random = new Random(5);
        for (int i = 0; i < 200_000; i++) {
            int bits = random.nextInt();
            Inet4Address address = (Inet4Address) IpAddresses.ipv4(bits);
            assertThat(IpAddresses.ipv4Bits(address)).isEqualTo(bits);
            assertThat(IpAddresses.bitsOf(address)).as("Inet4Address.hashCode() is its address").isEqualTo(bits);
            assertThat(IpAddresses.isNonPublicIpv4(bits)).as(address.getHostAddress()).isEqualTo(IpAddresses.isNonPublic(address));
            assertThat(MigrationBucket.ofIpv4(bits)).isEqualTo(MigrationBucket.of(address));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.4.8", "0.0.0.0", "255.255.255.255", "8.8.8.8, 1.2.4.8", "x,10.20.30.40", ",1.22.133.4", " 1.2.3.4\t ", "a,\t1.2.3.4 "})
    void parsesTheLastPlainElementInOnePass(String header) {
        long packed = IpAddresses.parseLastIpv4(header, header.length());
        int start = header.lastIndexOf(',') + 1;
        assertThat(packed).isNotNegative();
        assertThat((int) (packed >>> 32)).isEqualTo(start);
        assertThat(packed & 0xffff_ffffL).isEqualTo(IpAddresses.parseIpv4(header, start, header.length()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.00", "1..2.3", "1.2.3.",
        ".1.2.3", "a.b.c.d", "1.2.3.4:80", "::1", "1.2.3.-4", "1.2.3 .4", "x 1.2.3.4", "1.2.3.4 ,", "1.2.3.1000",
        "1111.2.3.4", "1.2.3.4444", "1.2.3.\u0664", "\uff11.2.3.4"})
    void leavesEverythingElseToTheGeneralParser(String text) {
        assertThat(IpAddresses.parseLastIpv4(text, text.length())).isEqualTo(-1);
    }

    /** Whatever the one-pass parser accepts, the general one accepts with the same bits and start. */
    @Test
    void theOnePassParserAgreesWithTheGeneralOneOnFuzzedHeaders() {
        Random random = new Random(11);
        char[] alphabet = {'0', '1', '2', '5', '9', '.', '.', '.', ',', ' ', '\t', 'a', ':', '/', '\u0661', (char) ('.' + 256)};
        int accepted = 0;
        for (int i = 0; i < 500_000; i++) {
            StringBuilder header = new StringBuilder();
            if (random.nextBoolean()) {
                int bits = random.nextInt();
                header.append(bits >>> 24).append('.').append(bits >>> 16 & 0xff).append('.')
                        .append(bits >>> 8 & 0xff).append('.').append(bits & 0xff);
                for (int edits = random.nextInt(3); edits > 0; edits--) {
                    int at = random.nextInt(header.length() + 1);
                    char c = alphabet[random.nextInt(alphabet.length)];
                    if (random.nextBoolean() && at < header.length()) {
                        header.setCharAt(at, c);
                    } else {
                        header.insert(at, c);
                    }
                }
            } else {
                for (int n = random.nextInt(20); n > 0; n--) {
                    header.append(alphabet[random.nextInt(alphabet.length)]);
                }
            }
            String text = header.toString();
            int end = text.isEmpty() ? 0 : random.nextInt(text.length() + 1);
            if (random.nextInt(4) > 0) {
                end = text.length();
            }
            int start = text.lastIndexOf(',', end - 1) + 1;
            long general = IpAddresses.parseIpv4(text, start, end);
            long packed = IpAddresses.parseLastIpv4(text, end);
            if (packed >= 0) {
                accepted++;
                assertThat((int) (packed >>> 32)).as(text).isEqualTo(start);
                assertThat(packed & 0xffff_ffffL).as(text).isEqualTo(general);
            } else {
                boolean plain = text.substring(start, end).strip().chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
                assertThat(plain && general >= 0).as("a plain dotted quad left to the general parser: %s", text).isFalse();
            }
        }
        assertThat(accepted).isGreaterThan(50_000);
    }

    /** The first-octet filter in front of the block checks changes no answer: every /24 against the blocks as written. */
    @Test
    void nonPublicIpv4AgreesWithTheBlocksForEveryNetwork() {
        for (int prefix = 0; prefix < 1 << 24; prefix++) {
            int a = prefix >>> 16;
            int b = prefix >>> 8 & 0xff;
            int c = prefix & 0xff;
            boolean expected = a == 0 || a == 10 || a == 127 || (a == 169 && b == 254) || (a == 172 && (b & 0xf0) == 16)
                    || (a == 192 && b == 168) || (a == 100 && (b & 0xc0) == 64) || (a == 192 && b == 0 && c == 2)
                    || (a == 198 && (b == 18 || b == 19)) || (a == 198 && b == 51 && c == 100)
                    || (a == 203 && b == 0 && c == 113) || a >= 224;
            if (IpAddresses.isNonPublicIpv4(prefix << 8 | 7) != expected) {
                throw new AssertionError(a + "." + b + "." + c + ".7: expected non-public " + expected);
            }
        }
    }
}
