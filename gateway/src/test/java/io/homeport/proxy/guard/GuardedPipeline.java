package io.homeport.proxy.guard;

import io.homeport.proxy.MalformedRequestHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
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

/**
 * The client side's decoding stages as the gateway composes them (scanner, strict decoder, guard,
 * malformed-request answers) in an EmbeddedChannel: feed wire bytes, see what would be forwarded
 * and what was answered.
 */
final class GuardedPipeline implements AutoCloseable {

    final EmbeddedChannel channel;
    /** What passed: "METHOD uri" per request head, "+N" per body chunk, "end" per request end. */
    final List<String> forwarded = new ArrayList<>();

    GuardedPipeline(int maxHeaderCount) {
        RequestHeadScanner scanner = new RequestHeadScanner();
        channel = new EmbeddedChannel(scanner,
                new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(8192).setMaxHeaderSize(16384)
                        .setValidateHeaders(true).setStrictLineParsing(true)),
                new RequestGuardHandler(maxHeaderCount, scanner),
                new MalformedRequestHandler());
    }

    /** Feeds the bytes in pieces of {@code piece} bytes, as a slow or fragmenting network would. */
    GuardedPipeline feed(String wire, int piece) {
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length && channel.isOpen(); i += piece) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(piece, bytes.length - i)));
            drainInbound();
        }
        return this;
    }

    GuardedPipeline feed(String wire) {
        return feed(wire, Integer.MAX_VALUE);
    }

    private void drainInbound() {
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            if (msg instanceof HttpRequest request) {
                forwarded.add(request.method() + " " + request.uri());
            }
            if (msg instanceof HttpContent content && content.content().isReadable()) {
                forwarded.add("+" + content.content().readableBytes());
            }
            if (msg instanceof LastHttpContent) {
                forwarded.add("end");
            }
            ReferenceCountUtil.release(msg);
        }
    }

    /** The response the pipeline wrote, or null; the caller releases it. */
    FullHttpResponse response() {
        EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(65536));
        for (ByteBuf chunk; (chunk = channel.readOutbound()) != null; ) {
            client.writeInbound(chunk);
        }
        FullHttpResponse response = client.readInbound();
        client.finishAndReleaseAll();
        return response;
    }

    /** The answered status, or 0 when nothing was answered. */
    int status() {
        FullHttpResponse response = response();
        if (response == null) {
            return 0;
        }
        int status = response.status().code();
        response.release();
        return status;
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
