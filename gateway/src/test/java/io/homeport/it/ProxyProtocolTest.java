package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A listener behind an L4 load balancer (proxy_protocol: true): the PROXY header's source is the
 * peer, trusted_proxies (loopback here) and X-Forwarded-For rules apply to it as to a socket peer,
 * and a connection without a valid header is refused.
 */
class ProxyProtocolTest {

    @TempDir
    Path directory;

    TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = new TestGateway(directory, TestGateway.Extras.proxyProtocolListener());
    }

    @AfterEach
    void stop() {
        gateway.close();
        LeakCheck.assertNoLeaks();
    }

    @ParameterizedTest(name = "v1 from {0} -> {1}")
    @CsvSource({
        "1.2.4.8,         beijing",
        "165.21.83.88,    singapore",
        "8.8.8.8,         us",
    })
    void routesByTheV1Source(String source, String region) throws Exception {
        try (RawHttp raw = new RawHttp(gateway.proxyProtocolPort())) {
            raw.send(v1(source) + "GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");

            assertThat(raw.read().header("X-Homeport-Region")).isEqualTo(region);
        }
        assertThat(backend(region).last().header("X-Forwarded-For")).isEqualTo(source);
    }

    @Test
    void routesByTheV2SourceForEveryRequestOfTheConnection() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.proxyProtocolPort())) {
            raw.send(v2(HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP4, "165.21.83.88")
                    + "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");

            assertThat(raw.read(2)).extracting(r -> r.header("X-Homeport-Region")).containsExactly("singapore", "singapore");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"X-Forwarded-For: 1.2.4.8", "Forwarded: for=1.2.4.8", "X-Forwarded-For: 127.0.0.1, 1.2.4.8"})
    void anUntrustedSourceCannotChooseItsAddressWithHeaders(String header) throws Exception {
        try (RawHttp raw = new RawHttp(gateway.proxyProtocolPort())) {
            raw.send(v1("8.8.8.8") + "GET /api/x HTTP/1.1\r\nHost: a\r\n" + header + "\r\n\r\n");

            assertThat(raw.read().header("X-Homeport-Region")).as("routed by 8.8.8.8, not by the header").isEqualTo("us");
        }
        assertThat(gateway.us.last().header("X-Forwarded-For")).as("the untrusted hops are dropped").isEqualTo("8.8.8.8");
        assertThat(gateway.beijing.received).isEmpty();
    }

    @Test
    void aTrustedSourceMayForwardTheClientAddress() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.proxyProtocolPort())) {
            raw.send(v1("127.0.0.1") + "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n\r\n");

            assertThat(raw.read().header("X-Homeport-Region")).isEqualTo("beijing");
        }
    }

    @Test
    void aLocalHeaderKeepsTheSocketPeer() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.proxyProtocolPort())) {
            raw.send(v2(HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN, null)
                    + "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n\r\n");

            assertThat(raw.read().header("X-Homeport-Region")).as("loopback is trusted, so its XFF counts").isEqualTo("beijing");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n\r\n",
        "PROXY TCP4 1.2.4.8 127.0.0.1 5000\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "PROXY TCP4 1.2.4.800 127.0.0.1 5000 80\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
    })
    void refusesAConnectionWithoutAValidHeader(String wire) throws Exception {
        try (RawHttp raw = new RawHttp(gateway.proxyProtocolPort())) {
            raw.send(wire);

            assertThat(raw.isClosedByServer()).as("closed without an answer").isTrue();
        }
        assertThat(gateway.beijing.received).isEmpty();
        assertThat(gateway.us.received).isEmpty();
    }

    @Test
    void aSecondHeaderInsideTheHttpStreamIsAMalformedRequest() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.proxyProtocolPort())) {
            raw.send(v1("8.8.8.8") + v1("1.2.4.8") + "GET / HTTP/1.1\r\nHost: a\r\n\r\n");

            assertThat(raw.read().status()).isEqualTo(400);
        }
        assertThat(gateway.beijing.received).isEmpty();
    }

    private TestBackend backend(String region) {
        return switch (region) {
            case "beijing" -> gateway.beijing;
            case "singapore" -> gateway.singapore;
            default -> gateway.us;
        };
    }

    static String v1(String source) {
        return "PROXY TCP4 " + source + " 127.0.0.1 50000 80\r\n";
    }

    /** A binary v2 header, as text of ISO-8859-1 bytes for {@link RawHttp#send}. */
    static String v2(HAProxyCommand command, HAProxyProxiedProtocol protocol, String source) {
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(new HAProxyMessage(HAProxyProtocolVersion.V2, command, protocol, source,
                source == null ? null : "127.0.0.1", source == null ? 0 : 50000, source == null ? 0 : 80));
        ByteBuf encoded = encoder.readOutbound();
        String text = encoded.toString(StandardCharsets.ISO_8859_1);
        encoded.release();
        encoder.finishAndReleaseAll();
        return text;
    }
}
