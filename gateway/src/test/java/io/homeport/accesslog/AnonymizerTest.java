package io.homeport.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.routing.IpAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnonymizerTest {

    private static InetAddress ip(String literal) {
        return IpAddresses.parseLiteral(literal).orElseThrow();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            1.2.4.8                          | 1.2.4.0/24
            8.8.8.8                          | 8.8.8.0/24
            202.54.1.30                      | 202.54.1.0/24
            10.0.0.255                       | 10.0.0.0/24
            255.255.255.255                  | 255.255.255.0/24
            0.0.0.0                          | 0.0.0.0/24
            ::ffff:165.21.83.88              | 165.21.83.0/24
            2400:da00::6666                  | 2400:da00::/48
            2001:4860:4860::8888             | 2001:4860:4860::/48
            2001:db8:1234:5678:9abc::1       | 2001:db8:1234::/48
            ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | ffff:ffff:ffff::/48
            ::1                              | ::/48
            """)
    void keepsOnlyTheNetwork(String address, String network) {
        assertThat(Anonymizer.network(ip(address))).isEqualTo(network);
        assertThat(Anonymizer.appendNetwork(new StringBuilder("x"), ip(address))).hasToString("x" + network);
    }

    /** The access log's writer (no InetAddress, no text of the whole address) agrees with {@link Anonymizer#network}. */
    @Test
    void appendsAnIpv6NetworkAsTheGeneralTextWouldHaveIt() throws Exception {
        java.util.Random random = new java.util.Random(17);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            for (int b = 0; b < 6; b++) {
                if (random.nextInt(3) == 0) {
                    bytes[b] = 0; // zero groups and half-groups, so every compression case comes up
                }
            }
            bytes[0] = (byte) (bytes[0] | (random.nextInt(4) == 0 ? 0 : 0x20)); // mostly global unicast-looking
            InetAddress address = Inet6Address.getByAddress(null, bytes, -1);
            byte[] network = address.getAddress();
            java.util.Arrays.fill(network, 6, 16, (byte) 0);
            String expected = IpAddresses.toText(Inet6Address.getByAddress(null, network, -1)) + "/48";
            assertThat(Anonymizer.appendNetwork(new StringBuilder(), address)).as(IpAddresses.toText(address))
                    .hasToString(expected);
        }
    }

    @Test
    void doesNotChangeTheAddressItIsGiven() {
        InetAddress address = ip("2400:da00::6666");
        Anonymizer.network(address);
        assertThat(IpAddresses.toText(address)).isEqualTo("2400:da00::6666");
    }

    @Test
    void truncatesAnIpv4MappedIpv6AddressToo() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 1;
        mapped[13] = 2;
        mapped[14] = 4;
        mapped[15] = 8;
        String network = Anonymizer.network(Inet6Address.getByAddress(null, mapped, -1));
        assertThat(network).doesNotContain("1.2.4.8").doesNotContain("102:408").doesNotContain("408");
    }
}
