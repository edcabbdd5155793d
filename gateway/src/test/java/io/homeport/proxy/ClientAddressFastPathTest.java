package io.homeport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.net.Cidr;
import io.homeport.routing.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The allocation-free IPv4 path answers exactly what the general path answers, whenever it answers. */
class ClientAddressFastPathTest {

    private final ClientAddressResolver resolver = new ClientAddressResolver(List.of(
            Cidr.parse("10.0.0.0/8").orElseThrow(), Cidr.parse("192.168.1.0/24").orElseThrow(),
            Cidr.parse("2001:db8::/32").orElseThrow()));

    @Test
    void agreesWithTheGeneralPathOnRandomHeaders() {
        Random random = new Random(11);
        String[] hops = {"1.2.4.8", "8.8.8.8", "10.1.2.3", "192.168.1.7", "192.168.2.7", " 8.8.4.4 ", "2001:db8::1",
            "[2400:da00::6666]:443", "1.2.3.4:80", "garbage", "", "256.0.0.1", "010.0.0.1"};
        String[] peers = {"10.0.0.1", "192.168.1.1", "203.0.113.5", "8.8.8.8"};
        int fast = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder header = new StringBuilder();
            int count = random.nextInt(5);
            for (int j = 0; j < count; j++) {
                header.append(j == 0 ? "" : ",").append(hops[random.nextInt(hops.length)]);
            }
            String xff = random.nextInt(10) == 0 ? null : header.toString();
            InetAddress peer = IpAddresses.parseLiteral(peers[random.nextInt(peers.length)]).orElseThrow();
            long bits = resolver.resolveIpv4(IpAddresses.bitsOf((Inet4Address) peer), xff, null);
            if (bits >= 0) {
                fast++;
                assertThat(IpAddresses.ipv4((int) bits)).as("peer %s, XFF [%s]", peer, xff).isEqualTo(resolver.resolve(peer, xff, null));
                assertThat(ClientAddressResolver.sourceOfIpv4(bits, ClientIp.SOCKET)).as("source: peer %s, XFF [%s]", peer, xff)
                        .isEqualTo(resolver.resolve(peer, ClientIp.SOCKET, xff, null).source());
            }
        }
        assertThat(fast).as("the fast path answers the common cases").isGreaterThan(20_000);
    }

    /** The 128-bit path (IPv6 and mixes, which the IPv4 path leaves) against the general path, peers of both families. */
    @Test
    void theBitsPathAgreesWithTheGeneralPathOnRandomMixedHeaders() {
        ClientAddressResolver mixed = new ClientAddressResolver(List.of(Cidr.parse("10.0.0.0/8").orElseThrow(),
                Cidr.parse("2001:db8::/32").orElseThrow(), Cidr.parse("::1").orElseThrow(), Cidr.parse("fd00::/8").orElseThrow(),
                Cidr.parse("64:ff9b::/96").orElseThrow()));
        Random random = new Random(13);
        String[] hops = {"1.2.4.8", "10.1.2.3", "2001:db8::1", "2001:DB8:0:0:1::5", "2400:da00::6666", "2409:4042:2d8b::ab3:7d0a",
            "fd12:3456::1", "::1", " 2a01:4f9:6a:55a6::e942 ", "::ffff:1.2.4.8", "::ffff:10.0.0.9", "64:ff9b::102:408",
            "[2400:da00::6666]:443", "2400:da00::6666%eth0", "1.2.3.4:80", "garbage", "", "2001:db8:::1", "::ffff:01.2.3.4"};
        String[] peers = {"10.0.0.1", "203.0.113.5", "::1", "2001:db8::7", "fd00::2", "2400:da00::1", "64:ff9b::a00:1"};
        long[] bits = new long[2];
        int fast = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder header = new StringBuilder();
            int count = random.nextInt(5);
            for (int j = 0; j < count; j++) {
                header.append(j == 0 ? "" : random.nextBoolean() ? "," : ", ").append(hops[random.nextInt(hops.length)]);
            }
            String xff = random.nextInt(10) == 0 ? null : header.toString();
            String forwarded = random.nextInt(20) == 0 ? "for=1.2.4.8" : null;
            InetAddress peer = IpAddresses.parseLiteral(peers[random.nextInt(peers.length)]).orElseThrow();
            int hop = mixed.resolveBits(peer, xff, forwarded, bits);
            if (hop != ClientAddressResolver.GENERAL) {
                fast++;
                ClientAddressResolver.Resolved general = mixed.resolve(peer, ClientIp.SOCKET, xff, forwarded);
                assertThat(IpAddresses.ipv6(bits[0], bits[1])).as("peer %s, XFF [%s]", peer, xff).isEqualTo(general.address());
                assertThat(hop == ClientAddressResolver.PEER ? ClientIp.SOCKET : ClientIp.xForwardedFor(hop))
                        .as("source: peer %s, XFF [%s]", peer, xff).isEqualTo(general.source());
            }
        }
        assertThat(fast).as("the bits path answers the common cases").isGreaterThan(20_000);
    }

    /** isTrusted answers IPv4 addresses from masks; the blocks, asked one by one, must agree. */
    @Test
    void trustAgreesWithTheBlocksThemselves() {
        List<Cidr> blocks = List.of(Cidr.parse("10.0.0.0/8").orElseThrow(), Cidr.parse("192.168.1.0/24").orElseThrow(),
                Cidr.parse("203.0.113.7/32").orElseThrow(), Cidr.parse("2001:db8::/32").orElseThrow(),
                Cidr.parse("::/0").orElseThrow());
        ClientAddressResolver withV6Everything = new ClientAddressResolver(blocks);
        Random random = new Random(12);
        int trusted = 0;
        for (int i = 0; i < 200_000; i++) {
            int bits = switch (random.nextInt(4)) {
                case 0 -> 0x0a000000 | random.nextInt(1 << 24);
                case 1 -> 0xc0a80100 | random.nextInt(512); // 192.168.1.x and 192.168.2.x
                case 2 -> 0xcb007100 | random.nextInt(16); // around 203.0.113.7
                default -> random.nextInt();
            };
            InetAddress address = IpAddresses.ipv4(bits);
            boolean expected = blocks.stream().anyMatch(block -> block.contains(address));
            assertThat(withV6Everything.isTrusted(address)).as(address.getHostAddress()).isEqualTo(expected);
            trusted += expected ? 1 : 0;
        }
        assertThat(trusted).isBetween(50_000, 150_000);
        assertThat(withV6Everything.isTrusted(IpAddresses.parseLiteral("2400:da00::1").orElseThrow())).isTrue();
        assertThat(resolver.isTrusted(IpAddresses.parseLiteral("2400:da00::1").orElseThrow())).isFalse();
        assertThat(resolver.isTrusted(IpAddresses.parseLiteral("2001:db8::1").orElseThrow())).isTrue();
    }

    @Test
    void leavesForwardedToTheGeneralPath() {
        assertThat(resolver.resolveIpv4(IpAddresses.bitsOf((Inet4Address) IpAddresses.parseLiteral("10.0.0.1").orElseThrow()),
                null, "for=1.2.4.8")).isEqualTo(-1);
    }
}
