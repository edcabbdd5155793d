package io.homeport.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.it.LeakCheck;
import io.homeport.proxy.MalformedRequestHandler;
import io.homeport.proxy.guard.RequestChecks;
import io.homeport.proxy.guard.RequestGuardHandler;
import io.homeport.proxy.guard.RequestHeadScanner;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Byte-level mutations of valid requests, cut into random pieces, through the client side's
 * decoding stages (scanner, strict decoder, guard, malformed-request answers). Whatever the bytes,
 * the pipeline never throws, never leaks a buffer, passes on only requests the checks accept, and
 * otherwise answers one 4xx (or 505) and closes.
 */
class HttpRequestFuzzTest {

    static final int MAX_HEADER_COUNT = 20;
    static final Set<Integer> REFUSALS = Set.of(400, 405, 414, 421, 431, 505);

    static final List<String> VALID = List.of(
            "GET /api/x?q=1 HTTP/1.1\r\nHost: a.example\r\nX-Forwarded-For: 1.2.4.8\r\n\r\n",
            "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
            "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
            "GET http://a.example/p HTTP/1.1\r\nHost: a.example\r\n\r\n",
            "GET / HTTP/1.0\r\nUser-Agent: phone\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: a\r\n\r\n");

    @BeforeContainer
    static void detectLeaks() {
        LeakCheck.install();
    }

    @AfterContainer
    static void noLeaks() {
        LeakCheck.assertNoLeaks();
    }

    @Property(tries = 2000, seed = "20261125")
    void mutatedRequestsArePassedWellFormedOrRefused(@ForAll("seeds") String seed, @ForAll("edits") List<Mutation> edits,
            @ForAll("pieces") List<Integer> pieces) {
        byte[] wire = Mutation.apply(seed.getBytes(StandardCharsets.ISO_8859_1), edits);

        Outcome outcome = run(wire, pieces);

        for (HttpRequest request : outcome.passed()) {
            assertThat(RequestChecks.check(request, null, MAX_HEADER_COUNT)).as("passed on: %s", request).isNull();
        }
        if (outcome.status() != 0) {
            assertThat(outcome.status()).isIn(REFUSALS);
            assertThat(outcome.open()).as("closed after refusing").isFalse();
        } else {
            assertThat(outcome.open()).as("closed without an answer").isTrue();
        }
    }

    @Property(tries = 500, seed = "20261125")
    void validRequestsPassWhateverTheCuts(@ForAll("pieces") List<Integer> pieces) {
        String wire = String.join("", VALID);

        Outcome outcome = run(wire.getBytes(StandardCharsets.ISO_8859_1), pieces);

        assertThat(outcome.status()).as("answered").isZero();
        assertThat(outcome.passed()).hasSize(9);
        assertThat(outcome.ends()).isEqualTo(9);
    }

    @Property(tries = 1000, seed = "20261125")
    void bodiesThatLookLikeHeadersAreSkippedExactly(@ForAll("bodies") List<byte[]> chunks, @ForAll boolean chunked,
            @ForAll("pieces") List<Integer> pieces) {
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        int total = chunks.stream().mapToInt(chunk -> chunk.length).sum();
        wire.writeBytes(ascii("POST /1 HTTP/1.1\r\nHost: a\r\n"
                + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + total) + "\r\n\r\n"));
        for (byte[] chunk : chunks) {
            if (chunked && chunk.length > 0) {
                wire.writeBytes(ascii(Integer.toHexString(chunk.length) + "\r\n"));
            }
            wire.writeBytes(chunk);
            if (chunked && chunk.length > 0) {
                wire.writeBytes(ascii("\r\n"));
            }
        }
        wire.writeBytes(ascii((chunked ? "0\r\n\r\n" : "") + "GET /2 HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n"));

        Outcome outcome = run(wire.toByteArray(), pieces);

        assertThat(outcome.status()).as("answered").isZero();
        assertThat(outcome.passed()).extracting(HttpRequest::uri).containsExactly("/1", "/2");
        assertThat(outcome.ends()).isEqualTo(2);
    }

    record Outcome(List<HttpRequest> passed, int ends, int status, boolean open) {}

    static Outcome run(byte[] wire, List<Integer> pieces) {
        RequestHeadScanner scanner = new RequestHeadScanner();
        EmbeddedChannel channel = new EmbeddedChannel(scanner,
                new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(512).setMaxHeaderSize(1024)
                        .setValidateHeaders(true).setStrictLineParsing(true)),
                new RequestGuardHandler(MAX_HEADER_COUNT, scanner),
                new MalformedRequestHandler());
        List<ByteBuf> inputs = new ArrayList<>();
        List<HttpRequest> passed = new ArrayList<>();
        int ends = 0;
        for (int offset = 0, i = 0; offset < wire.length && channel.isOpen(); i++) {
            int size = Math.min(pieces.get(i % pieces.size()), wire.length - offset);
            ByteBuf piece = ByteBufAllocator.DEFAULT.buffer(size).writeBytes(wire, offset, size);
            inputs.add(piece);
            channel.writeInbound(piece); // rethrows anything that escaped the pipeline
            offset += size;
            for (Object msg; (msg = channel.readInbound()) != null; ReferenceCountUtil.release(msg)) {
                if (msg instanceof HttpRequest request) {
                    passed.add(request);
                }
                if (msg instanceof LastHttpContent) {
                    ends++;
                }
            }
        }
        int status = status(channel);
        boolean open = channel.isOpen();
        channel.finishAndReleaseAll();
        for (ByteBuf input : inputs) {
            assertThat(input.refCnt()).as("input released").isZero();
        }
        return new Outcome(passed, ends, status, open);
    }

    private static int status(EmbeddedChannel channel) {
        EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(65536));
        for (ByteBuf chunk; (chunk = channel.readOutbound()) != null; ) {
            client.writeInbound(chunk);
        }
        FullHttpResponse response = client.readInbound();
        Object second = client.readInbound();
        assertThat(second).as("a second answer").isNull();
        client.finishAndReleaseAll();
        if (response == null) {
            return 0;
        }
        response.release();
        return response.status().code();
    }

    @Provide
    Arbitrary<List<byte[]>> bodies() {
        Arbitrary<Byte> framingBytes = Arbitraries.of((byte) '\r', (byte) '\n', (byte) ' ', (byte) '\t', (byte) ':', (byte) '0');
        Arbitrary<Byte> anyByte = Arbitraries.bytes();
        return Arbitraries.frequencyOf(Tuple.of(3, framingBytes), Tuple.of(1, anyByte)).list().ofMaxSize(40)
                .map(HttpRequestFuzzTest::toBytes).list().ofMaxSize(5);
    }

    private static byte[] toBytes(List<Byte> list) {
        byte[] bytes = new byte[list.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = list.get(i);
        }
        return bytes;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Provide
    Arbitrary<String> seeds() {
        return Arbitraries.of(VALID);
    }

    @Provide
    Arbitrary<List<Mutation>> edits() {
        return Mutation.mutations().list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<Integer>> pieces() {
        return Arbitraries.integers().between(1, 64).list().ofMinSize(1).ofMaxSize(8);
    }
}
