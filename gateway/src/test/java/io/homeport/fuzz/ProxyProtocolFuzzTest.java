package io.homeport.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.it.LeakCheck;
import io.homeport.proxy.ClientConnection;
import io.homeport.proxy.ProxyProtocolHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Mutated PROXY protocol v1 and v2 headers, cut into random pieces, through the decoder and
 * {@link ProxyProtocolHandler}. Whatever the bytes, nothing throws or leaks, and the connection
 * ends in one of three states: closed; header taken (a valid source address or none, and the rest
 * of the bytes passed on untouched); or still waiting for the header, with nothing passed on.
 */
class ProxyProtocolFuzzTest {

    static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    static final List<byte[]> HEADERS = List.of(
            ascii("PROXY TCP4 203.0.113.7 10.0.0.1 51000 443\r\n"),
            ascii("PROXY TCP6 2001:db8::7 2001:db8::1 51000 443\r\n"),
            ascii("PROXY UNKNOWN\r\n"),
            v2(HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP4, "203.0.113.7", "10.0.0.1"),
            v2(HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP6, "2001:db8::7", "2001:db8::1"),
            v2(HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN, null, null));

    @BeforeContainer
    static void detectLeaks() {
        LeakCheck.install();
    }

    @AfterContainer
    static void noLeaks() {
        LeakCheck.assertNoLeaks();
    }

    @Property(tries = 2000, seed = "20261125")
    void endsClosedAcceptedOrWaiting(@ForAll("headers") byte[] header, @ForAll("edits") List<Mutation> edits,
            @ForAll("pieces") List<Integer> pieces) {
        byte[] wire = concat(Mutation.apply(header, edits), REQUEST);
        EmbeddedChannel channel = new EmbeddedChannel(new io.netty.handler.codec.haproxy.HAProxyMessageDecoder(),
                new ProxyProtocolHandler());
        List<ByteBuf> inputs = new ArrayList<>();
        ByteArrayOutputStream passed = new ByteArrayOutputStream();

        for (int offset = 0, i = 0; offset < wire.length && channel.isOpen(); i++) {
            boolean waiting = channel.pipeline().get(ProxyProtocolHandler.class) != null;
            int size = Math.min(pieces.get(i % pieces.size()), wire.length - offset);
            ByteBuf piece = ByteBufAllocator.DEFAULT.buffer(size).writeBytes(wire, offset, size);
            inputs.add(piece);
            channel.writeInbound(piece); // rethrows anything that escaped the pipeline
            offset += size;
            for (Object msg; (msg = channel.readInbound()) != null; ReferenceCountUtil.release(msg)) {
                assertThat(msg).isInstanceOf(ByteBuf.class);
                passed.writeBytes(ByteBufUtil.getBytes((ByteBuf) msg));
            }
            if (waiting && channel.pipeline().get(ProxyProtocolHandler.class) != null) {
                assertThat(passed.size()).as("passed on before a header was taken").isZero();
            }
        }

        boolean accepted = channel.isOpen() && channel.pipeline().get(ProxyProtocolHandler.class) == null;
        InetSocketAddress source = channel.attr(ClientConnection.PROXIED_SOURCE).get();
        if (accepted) {
            byte[] rest = passed.toByteArray();
            assertThat(Arrays.equals(rest, 0, rest.length, wire, wire.length - rest.length, wire.length))
                    .as("the bytes after the header are passed on untouched").isTrue();
            if (source != null) {
                assertThat(source.getAddress()).isNotNull();
                assertThat(source.getPort()).isBetween(0, 65535);
            }
        } else {
            assertThat(source).as("a source from a refused or unfinished header").isNull();
            if (channel.isOpen()) {
                assertThat(passed.size()).isZero();
            }
        }
        channel.finishAndReleaseAll();
        for (ByteBuf input : inputs) {
            assertThat(input.refCnt()).as("input released").isZero();
        }
    }

    @Property(tries = 200, seed = "20261125")
    void validHeadersAreTakenWhateverTheCuts(@ForAll("headers") byte[] header, @ForAll("pieces") List<Integer> pieces) {
        byte[] wire = concat(header, REQUEST);
        EmbeddedChannel channel = new EmbeddedChannel(new io.netty.handler.codec.haproxy.HAProxyMessageDecoder(),
                new ProxyProtocolHandler());
        ByteArrayOutputStream passed = new ByteArrayOutputStream();
        for (int offset = 0, i = 0; offset < wire.length; i++) {
            int size = Math.min(pieces.get(i % pieces.size()), wire.length - offset);
            channel.writeInbound(ByteBufAllocator.DEFAULT.buffer(size).writeBytes(wire, offset, size));
            offset += size;
            for (Object msg; (msg = channel.readInbound()) != null; ReferenceCountUtil.release(msg)) {
                passed.writeBytes(ByteBufUtil.getBytes((ByteBuf) msg));
            }
        }

        assertThat(passed.toByteArray()).isEqualTo(REQUEST);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Provide
    Arbitrary<byte[]> headers() {
        return Arbitraries.of(HEADERS);
    }

    @Provide
    Arbitrary<List<Mutation>> edits() {
        return Mutation.mutations().list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<List<Integer>> pieces() {
        return Arbitraries.integers().between(1, 40).list().ofMinSize(1).ofMaxSize(6);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static byte[] v2(HAProxyCommand command, HAProxyProxiedProtocol protocol, String source, String destination) {
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(new HAProxyMessage(HAProxyProtocolVersion.V2, command, protocol, source, destination,
                source == null ? 0 : 51000, source == null ? 0 : 443));
        ByteBuf encoded = encoder.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(encoded);
        encoded.release();
        encoder.finishAndReleaseAll();
        return bytes;
    }
}
