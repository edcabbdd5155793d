package io.homeport.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "1.2.3.4             | 1.2.3.4",
        "0.0.0.0             | 0.0.0.0",
        "255.255.255.255     | 255.255.255.255",
        "10.0.0.1            | 10.0.0.1"})
    void acceptsIpv4(String literal, String expected) {
        InetAddress address = IpAddresses.parseLiteral(literal).orElseThrow();

        assertThat(address).isInstanceOf(Inet4Address.class);
        assertThat(address.getHostAddress()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "::1                           | 0:0:0:0:0:0:0:1",
        "::                            | 0:0:0:0:0:0:0:0",
        "2001:db8::1                   | 2001:db8:0:0:0:0:0:1",
        "2001:DB8:0:0:0:0:0:1          | 2001:db8:0:0:0:0:0:1",
        "[2001:db8::1]                 | 2001:db8:0:0:0:0:0:1",
        "[::1]                         | 0:0:0:0:0:0:0:1",
        "fe80::1                       | fe80:0:0:0:0:0:0:1",
        "::0.0.0.1                     | 0:0:0:0:0:0:0:1"})
    void acceptsIpv6(String literal, String expected) {
        InetAddress address = IpAddresses.parseLiteral(literal).orElseThrow();

        assertThat(address).isInstanceOf(Inet6Address.class);
        assertThat(address.getHostAddress()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"::ffff:1.2.3.4", "[::ffff:1.2.3.4]", "::FFFF:1.2.3.4", "::ffff:0102:0304"})
    void ipv4MappedIpv6IsIpv4(String literal) {
        // A dual-stack socket reports IPv4 clients this way; they must look up and bucket as IPv4.
        InetAddress address = IpAddresses.parseLiteral(literal).orElseThrow();

        assertThat(address).isInstanceOf(Inet4Address.class);
        assertThat(address.getHostAddress()).isEqualTo("1.2.3.4");
    }

    @ParameterizedTest(name = "\"{0}\" is refused")
    @NullAndEmptySource
    @ValueSource(strings = {
        // host names: refused without a DNS lookup ("localhost" would resolve to 127.0.0.1 if it were looked up)
        "localhost", "example.com", "ip6-localhost", "a", "1.2.3.4.nip.io",
        // malformed IPv4
        "1.2.3", "256.1.1.1", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.-1", "1.2.3.1000", "0x7f.0.0.1",
        "2130706433", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/24", "1.2.3.4:80",
        // malformed IPv6 and zone ids
        "fe80::1%eth0", "fe80::1%1", "[fe80::1%25eth0]", "1::2::3", ":::", "2001:db8::g", "12345::", "[::1", "::1]",
        "[::1]:80", "1:2:3:4:5:6:7:8:9", ":",
        // a leading "." made the JDK treat the text as a host name and ask the system resolver
        ".::1", ".:1",
        // garbage
        "garbage", "[]", "-", "💥", "1.2.3.4\n"})
    void refusesAnythingButALiteral(String text) {
        assertThat(IpAddresses.parseLiteral(text)).isEmpty();
    }

    @Test
    void refusesOverlongInput() {
        assertThat(IpAddresses.parseLiteral("1".repeat(48))).isEmpty();
        assertThat(IpAddresses.parseLiteral("0000:0000:0000:0000:0000:ffff:255.255.255.255")).isPresent(); // 45 chars
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // RFC 5952: lower case, no leading zeros, the longest run of 2+ zero groups as "::" (first on a tie)
        "2001:0db8:0000:0000:0000:0000:0000:0001 | 2001:db8::1",
        "2001:DB8::ABCD                          | 2001:db8::abcd",
        "::1                                     | ::1",
        "::                                      | ::",
        "1:0:0:0:0:0:0:0                         | 1::",
        "2001:db8:0:0:1:0:0:1                    | 2001:db8::1:0:0:1",
        "2001:0:0:1:0:0:0:1                      | 2001:0:0:1::1",
        "2001:db8:0:1:1:1:1:1                    | 2001:db8:0:1:1:1:1:1",
        "fe80::1                                 | fe80::1",
        "1.2.3.4                                 | 1.2.3.4",
        "::ffff:1.2.3.4                          | 1.2.3.4"})
    void toTextIsCanonical(String literal, String text) {
        assertThat(IpAddresses.toText(IpAddresses.parseLiteral(literal).orElseThrow())).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0} non-public: {1}")
    @CsvSource({
        // RFC 1918, loopback, link-local, unspecified
        "10.0.0.1, true", "10.255.255.255, true", "172.16.0.1, true", "172.31.255.255, true", "172.32.0.1, false",
        "192.168.1.1, true", "127.0.0.1, true", "127.255.0.1, true", "169.254.1.1, true", "0.0.0.0, true",
        "0.1.2.3, true",
        // CGNAT 100.64.0.0/10 and its neighbours
        "100.64.0.1, true", "100.127.255.255, true", "100.63.255.255, false", "100.128.0.0, false",
        // documentation, benchmarking, multicast, reserved
        "192.0.2.1, true", "198.51.100.1, true", "203.0.113.1, true", "198.18.0.1, true", "198.19.255.255, true",
        "198.20.0.1, false", "224.0.0.1, true", "239.1.1.1, true", "240.0.0.1, true", "255.255.255.255, true",
        // public IPv4
        "8.8.8.8, false", "1.2.4.8, false", "192.0.3.1, false", "203.0.114.1, false", "101.0.0.1, false",
        // IPv6
        "::1, true", "::, true", "fc00::1, true", "fd12:3456::1, true", "fe80::1, true", "ff02::1, true",
        "2001:db8::1, true", "2001:db9::1, false", "2001:4860:4860::8888, false", "2405:200::1, false",
        // IPv4-mapped: classified as the IPv4 address
        "::ffff:10.0.0.1, true", "::ffff:8.8.8.8, false"})
    void classifiesNonPublicAddresses(String literal, boolean nonPublic) {
        assertThat(IpAddresses.isNonPublic(IpAddresses.parseLiteral(literal).orElseThrow())).isEqualTo(nonPublic);
    }
}
