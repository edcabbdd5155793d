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
}
