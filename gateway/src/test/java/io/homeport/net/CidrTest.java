package io.homeport.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.routing.IpAddresses;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    private static InetAddress ip(String literal) {
        return IpAddresses.parseLiteral(literal).orElseThrow();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            10.0.0.0/8         | 10.0.0.0/8
            10.1.2.3           | 10.1.2.3/32
            192.168.0.0/16     | 192.168.0.0/16
            0.0.0.0/0          | 0.0.0.0/0
            1.2.3.4/32         | 1.2.3.4/32
            2001:db8::/32      | 2001:db8::/32
            2001:DB8:0:0::/48  | 2001:db8::/48
            ::1                | ::1/128
            ::/0               | ::/0
            fd00::/8           | fd00::/8
            [2001:db8::1]/64   | 2001:db8::1/64
            ::ffff:10.0.0.0/8  | 10.0.0.0/8
            """)
    void parsesAndPrints(String text, String canonical) {
        assertThat(Cidr.parse(text)).as(text).hasValueSatisfying(cidr -> assertThat(cidr.toString()).isEqualTo(canonical));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/x", "/8", "::/129", "10.0.0/8",
        "256.0.0.0/8", "proxy.example.com", "localhost/8", "10.0.0.0/8/8", "10.0.0.0 /8", "fe80::1%eth0/64"})
    void refusesWhatIsNotAnAddressBlock(String text) {
        assertThat(Cidr.parse(text)).as(String.valueOf(text)).isEmpty();
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            10.0.0.0/8        | 10.0.0.1              | true
            10.0.0.0/8        | 10.255.255.255        | true
            10.0.0.0/8        | 11.0.0.0              | false
            10.0.0.0/8        | 9.255.255.255         | false
            192.168.1.0/24    | 192.168.1.77          | true
            192.168.1.0/24    | 192.168.2.1           | false
            172.16.0.0/12     | 172.31.255.255        | true
            172.16.0.0/12     | 172.32.0.0            | false
            10.1.2.3          | 10.1.2.3              | true
            10.1.2.3          | 10.1.2.4              | false
            10.1.2.3/24       | 10.1.2.200            | true
            0.0.0.0/0         | 8.8.8.8               | true
            0.0.0.0/0         | ::1                   | false
            10.0.0.0/8        | ::ffff:10.1.1.1       | true
            2001:db8::/32     | 2001:db8:ffff::1      | true
            2001:db8::/32     | 2001:db9::1           | false
            2001:db8::/33     | 2001:db8:7fff::1      | true
            2001:db8::/33     | 2001:db8:8000::1      | false
            ::1               | ::1                   | true
            ::1               | ::2                   | false
            ::/0              | 2400:da00::6666       | true
            ::/0              | 1.2.4.8               | false
            2001:db8::/32     | 32.1.13.184           | false
            """)
    void containsExactlyTheAddressesOfItsBlock(String cidr, String address, boolean contained) {
        assertThat(Cidr.parse(cidr).orElseThrow().contains(ip(address))).isEqualTo(contained);
    }
}
