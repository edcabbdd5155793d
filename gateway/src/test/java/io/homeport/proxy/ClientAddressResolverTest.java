package io.homeport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.net.Cidr;
import io.homeport.routing.IpAddresses;
import java.net.InetAddress;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientAddressResolverTest {

    private final ClientAddressResolver resolver = new ClientAddressResolver(List.of(
            Cidr.parse("10.0.0.0/8").orElseThrow(), Cidr.parse("2001:db8::/32").orElseThrow()));

    @ParameterizedTest(name = "peer {0}, XFF [{1}] -> {2}")
    @CsvSource(delimiter = '|', value = {
        // untrusted peer: headers are ignored, whatever they say
        "203.0.113.7 | 1.2.4.8                 | 203.0.113.7",
        // trusted peer: the right-most untrusted hop
        "10.0.0.1    | 1.2.4.8                 | 1.2.4.8",
        "10.0.0.1    | 8.8.8.8, 1.2.4.8        | 1.2.4.8",
        "10.0.0.1    | 8.8.8.8, 1.2.4.8, 10.1.1.1 | 1.2.4.8",
        "10.0.0.1    | 1.2.4.8:5555            | 1.2.4.8",
        "10.0.0.1    | [2400:da00::6666]:443   | 2400:da00::6666",
        "10.0.0.1    | 2400:da00::6666         | 2400:da00::6666",
        // every hop trusted: the left-most
        "10.0.0.1    | 10.9.9.9, 10.1.1.1      | 10.9.9.9",
        // garbage: fall back to the peer
        "10.0.0.1    | not-an-ip               | 10.0.0.1",
        "10.0.0.1    | 1.2.4.8, evil.example   | 10.0.0.1",
        "10.0.0.1    | ' , , '                 | 10.0.0.1",
        "10.0.0.1    | 999.1.1.1               | 10.0.0.1",
    })
    void resolvesXForwardedFor(String peer, String header, String expected) {
        assertThat(resolver.resolve(ip(peer), header, null)).isEqualTo(ip(expected));
    }

    @ParameterizedTest(name = "Forwarded [{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
        "for=1.2.4.8                               | 1.2.4.8",
        "for=8.8.8.8, for=1.2.4.8;proto=https       | 1.2.4.8",
        "for=\"[2400:da00::6666]:443\"              | 2400:da00::6666",
        "by=10.0.0.1;for=1.2.4.8;host=a.example     | 1.2.4.8",
        "for=unknown                               | 10.0.0.1",
        "proto=https                               | 10.0.0.1",
    })
    void resolvesForwarded(String header, String expected) {
        assertThat(resolver.resolve(ip("10.0.0.1"), null, header)).isEqualTo(ip(expected));
    }

    @ParameterizedTest(name = "peer {0}, XFF [{1}], Forwarded [{2}] -> {3} {4}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "203.0.113.7 | 1.2.4.8              | -               | socket          | -1",
        "10.0.0.1    | 1.2.4.8              | -               | x_forwarded_for | 0",
        "10.0.0.1    | 8.8.8.8, 1.2.4.8, 10.1.1.1 | -         | x_forwarded_for | 1",
        "10.0.0.1    | 10.9.9.9, 10.1.1.1   | -               | x_forwarded_for | 1",
        "10.0.0.1    | not-an-ip            | -               | socket          | -1",
        "10.0.0.1    | -                    | for=1.2.4.8     | forwarded       | 0",
        "10.0.0.1    | -                    | for=8.8.8.8, for=10.2.2.2 | forwarded | 1",
        "10.0.0.1    | -                    | -               | socket          | -1",
    })
    void saysWhereTheAddressCameFrom(String peer, String xff, String forwarded, String source, int hop) {
        ClientAddressResolver.Resolved resolved = resolver.resolve(ip(peer), ClientIp.SOCKET, xff, forwarded);
        assertThat(resolved.source().source().label()).isEqualTo(source);
        assertThat(resolved.source().hop()).isEqualTo(hop);
        assertThat(resolved.address()).isEqualTo(resolver.resolve(ip(peer), xff, forwarded));
        assertThat(resolver.resolve(ip(peer), ClientIp.PROXY_PROTOCOL, xff, forwarded).source().source().label())
                .isEqualTo(source.equals("socket") ? "proxy_protocol" : source);
    }

    @Test
    void aForwardedChainBecomesAnXForwardedForList() {
        assertThat(ClientAddressResolver.forwardedChain("for=1.2.4.8;proto=https, for=\"[2400:da00::1]:443\", for=_hidden"))
                .isEqualTo("1.2.4.8, 2400:da00::1, unknown");
        assertThat(ClientAddressResolver.forwardedChain(null)).isNull();
        assertThat(ClientAddressResolver.forwardedChain("proto=https")).isEqualTo("unknown");
    }

    @Test
    void xForwardedForWinsOverForwarded() {
        assertThat(resolver.resolve(ip("10.0.0.1"), "1.2.4.8", "for=8.8.8.8")).isEqualTo(ip("1.2.4.8"));
    }

    @Test
    void absurdlyLongChainsFallBackToThePeer() {
        String header = String.join(",", java.util.Collections.nCopies(100, "10.1.1.1"));
        assertThat(resolver.resolve(ip("10.0.0.1"), header, null)).isEqualTo(ip("10.0.0.1"));
    }

    @Test
    void randomGarbageNeverThrowsAndAlwaysAnswersPeerOrAHeaderAddress() {
        Random random = new Random(42);
        String alphabet = "0123456789abcdef.:[],; =\"for\t";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder header = new StringBuilder();
            int length = random.nextInt(60);
            for (int j = 0; j < length; j++) {
                header.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            InetAddress resolved = resolver.resolve(ip("10.0.0.1"), header.toString(), header.toString());
            assertThat(resolved).isNotNull();
        }
    }

    private static InetAddress ip(String text) {
        return IpAddresses.parseLiteral(text.trim()).orElseThrow();
    }
}
