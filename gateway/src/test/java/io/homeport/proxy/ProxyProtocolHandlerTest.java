package io.homeport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyProtocolHandlerTest {

    static final String REQUEST = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    final EmbeddedChannel channel = new EmbeddedChannel(new HAProxyMessageDecoder(), new ProxyProtocolHandler());

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "PROXY TCP4 203.0.113.7 10.0.0.1 51000 443 | 203.0.113.7 | 51000",
        "PROXY TCP6 2001:db8::7 2001:db8::1 51000 443 | 2001:db8:0:0:0:0:0:7 | 51000",
    })
    void takesTheV1SourceAsThePeerAndLeaves(String header, String address, int port) {
        channel.writeInbound(bytes(header + "\r\n" + REQUEST));

        assertThat(source().getAddress().getHostAddress()).isEqualTo(address);
        assertThat(source().getPort()).isEqualTo(port);
        assertThat(passedOn()).as("the bytes after the header").isEqualTo(REQUEST);
        assertThat(channel.pipeline().get(ProxyProtocolHandler.class)).isNull();
        assertThat(channel.pipeline().get(HAProxyMessageDecoder.class)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "TCP4 | 203.0.113.7 | 10.0.0.1",
        "TCP6 | 2001:db8::7 | 2001:db8::1",
        "UDP4 | 203.0.113.7 | 10.0.0.1",
    })
    void takesTheV2SourceAsThePeer(HAProxyProxiedProtocol protocol, String source, String destination) {
        channel.writeInbound(Unpooled.wrappedBuffer(v2(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                protocol, source, destination, 40000, 443)), REQUEST.getBytes(StandardCharsets.ISO_8859_1)));

        assertThat(source().getPort()).isEqualTo(40000);
        assertThat(source().getAddress()).isEqualTo(new InetSocketAddress(source, 1).getAddress());
        assertThat(passedOn()).isEqualTo(REQUEST);
    }

    @Test
    void aV2LocalHeaderKeepsTheSocketPeer() {
        channel.writeInbound(Unpooled.wrappedBuffer(v2(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL,
                HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0)), REQUEST.getBytes(StandardCharsets.ISO_8859_1)));

        assertThat(channel.attr(ClientConnection.PROXIED_SOURCE).get()).isNull();
        assertThat(passedOn()).isEqualTo(REQUEST);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aV1UnknownHeaderKeepsTheSocketPeer() {
        channel.writeInbound(bytes("PROXY UNKNOWN\r\n" + REQUEST));

        assertThat(channel.attr(ClientConnection.PROXIED_SOURCE).get()).isNull();
        assertThat(passedOn()).isEqualTo(REQUEST);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        REQUEST,
        "PROXY TCP4 999.0.113.7 10.0.0.1 51000 443\r\n" + REQUEST,
        "PROXY TCP4 203.0.113.7 10.0.0.1 51000\r\n" + REQUEST,
        "PROXY TCP9 203.0.113.7 10.0.0.1 51000 443\r\n" + REQUEST,
        "PROXY TCP4 203.0.113.7 10.0.0.1 99999 443\r\n" + REQUEST,
        "PROXY TCP4 203.0.113.7 10.0.0.1 51000 443\n" + REQUEST,
        "proxy TCP4 203.0.113.7 10.0.0.1 51000 443\r\n" + REQUEST,
        // found by ProxyProtocolFuzzTest: refused, yet the decoder reads the next line as a header on close
        "\r\nPROXY TCP4 203.0.113.7 10.0.0.1 51000 443\r\n" + REQUEST,
        "PROXY TCP4 203.0.113.7 10.0.0.1 51000 443 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
    })
    void closesAConnectionWithoutAValidHeader(String wire) {
        channel.writeInbound(bytes(wire));

        assertThat(channel.isOpen()).isFalse();
        assertThat(passedOn()).isEmpty();
        assertThat(channel.attr(ClientConnection.PROXIED_SOURCE).get()).isNull();
    }

    @Test
    void closesOnAV2HeaderOfAnUnknownVersion() {
        byte[] header = v2(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP4,
                "203.0.113.7", "10.0.0.1", 40000, 443));
        header[12] = 0x31; // version 3
        channel.writeInbound(Unpooled.wrappedBuffer(header));

        assertThat(channel.isOpen()).isFalse();
    }

    /**
     * Found by ProxyProtocolFuzzTest: after refusing a v2 header too short for its IPv6 addresses,
     * the decoder fails once more on close, with a plain decoding error rather than a protocol error.
     */
    @Test
    void closesQuietlyOnAV2HeaderTheDecoderTripsOver() {
        byte[] header = v2(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP6,
                "2001:db8::7", "2001:db8::1", 40000, 443));
        byte[] mangled = new byte[header.length + 15];
        System.arraycopy(header, 0, mangled, 0, 15);
        System.arraycopy(header, 0, mangled, 15, header.length); // its first 15 bytes twice: a 13-byte address block

        channel.writeInbound(Unpooled.wrappedBuffer(mangled), bytes(REQUEST));

        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.attr(ClientConnection.PROXIED_SOURCE).get()).isNull();
        channel.checkException(); // nothing escaped the pipeline
    }

    /**
     * Found by ProxyProtocolFuzzTest: a v2 header whose first TLV is whole and whose second claims
     * more bytes than the header has. Netty 4.2.7 kept the first TLV's retained slice of the
     * input when the second failed, leaking the buffer.
     */
    @Test
    void refusesATruncatedTlvWithoutLeakingTheInput() {
        ByteBuf wire = Unpooled.directBuffer();
        wire.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        wire.writeByte(0x21).writeByte(0x11).writeShort(12 + 5 + 4); // v2 PROXY, TCP4; addresses + two TLVs
        wire.writeBytes(new byte[] {(byte) 203, 0, 113, 7, 10, 0, 0, 1}).writeShort(51000).writeShort(443);
        wire.writeByte(0x01).writeShort(2).writeBytes("h2".getBytes(StandardCharsets.US_ASCII)); // ALPN, whole
        wire.writeByte(0x02).writeShort(50).writeByte('a'); // AUTHORITY claiming 50 bytes, 1 present
        wire.writeBytes(REQUEST.getBytes(StandardCharsets.US_ASCII));

        channel.writeInbound(wire);

        assertThat(channel.isOpen()).isFalse();
        assertThat(source()).isNull();
        channel.finishAndReleaseAll();
        assertThat(wire.refCnt()).as("the input is released").isZero();
    }

    private InetSocketAddress source() {
        return channel.attr(ClientConnection.PROXIED_SOURCE).get();
    }

    private String passedOn() {
        StringBuilder text = new StringBuilder();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            ByteBuf bytes = (ByteBuf) msg;
            text.append(bytes.toString(StandardCharsets.ISO_8859_1));
            bytes.release();
        }
        return text.toString();
    }

    static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    /** A v2 (binary) header, as HAProxy and the cloud load balancers send it. */
    static byte[] v2(HAProxyMessage message) {
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(message);
        ByteBuf encoded = encoder.readOutbound();
        byte[] header = new byte[encoded.readableBytes()];
        encoded.readBytes(header);
        encoded.release();
        encoder.finishAndReleaseAll();
        return header;
    }
}
