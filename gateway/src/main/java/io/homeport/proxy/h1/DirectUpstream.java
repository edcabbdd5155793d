package io.homeport.proxy.h1;

import io.homeport.netty.FlushAtEndOfLoop;
import io.homeport.proxy.Exchange;
import io.homeport.proxy.ProxyContext;
import io.homeport.upstream.UpstreamConnections;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;

/**
 * The upstream side of the direct path: reads one response at a time from a pooled connection
 * without the HTTP codec, writes its head to the client rewritten ({@link ResponseHead}) and its
 * body as it came, following the framing to know where it ends, and reads on only while the
 * client can take more. A body the backend delimits by closing is passed on chunked, so the
 * client connection survives it.
 */
final class DirectUpstream extends ChannelInboundHandlerAdapter {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
    /** Body bytes copied into the head's buffer rather than written as a second buffer. */
    private static final int MAX_INLINE_BODY = 4096;

    private final ProxyContext proxy;
    private final ChunkedFraming chunks = new ChunkedFraming();
    private Exchange exchange;
    /** Bytes of a response head that has not arrived whole. */
    private ByteBuf partialHead;
    private ResponseHead.Framing framing;
    private long remaining;
    private boolean upstreamCloses;
    private boolean closeClient;
    /** The client's copy of the response head, until the body's first bytes go with it. */
    private ByteBuf clientHead;

    DirectUpstream(ProxyContext proxy) {
        this.proxy = proxy;
    }

    void bind(Exchange current) {
        exchange = current;
        framing = null;
        chunks.reset();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        Exchange current = exchange;
        if (current == null || current.finished()) {
            in.release(); // nothing asked for this: the connection is not reusable
            ctx.close();
            return;
        }
        try {
            if (framing == null) {
                in = head(ctx, current, in);
                if (in == null) {
                    return;
                }
            }
            body(ctx, current, in);
        } finally {
            if (in != null) {
                in.release();
            }
        }
    }

    /** Reads the head; returns the bytes after it (owned by the caller), or null when more are needed or it failed. */
    private ByteBuf head(ChannelHandlerContext ctx, Exchange current, ByteBuf in) {
        if (partialHead != null) {
            ByteBuf merged = partialHead;
            partialHead = null;
            if (merged.readableBytes() + in.readableBytes() > ResponseHead.MAX_HEAD_BYTES + 8192) {
                merged.release();
                in.release();
                malformed(current, "response head larger than " + ResponseHead.MAX_HEAD_BYTES + " bytes");
                return null;
            }
            merged.writeBytes(in);
            in.release();
            in = merged;
        }
        while (true) {
            DirectHttp1Handler.Scratch scratch = DirectHttp1Handler.scratch();
            byte[] bytes = scratch.bytes(ResponseHead.MAX_HEAD_BYTES);
            ResponseHead head = scratch.response;
            boolean bodiless = RequestHead.HEAD.equals(current.facts().method());
            // The head is parsed out of a copy: copy a little first and more only while the head goes on,
            // so that a 16 KB answer read whole is not copied whole to find its few hundred bytes of head.
            int available = Math.min(in.readableBytes(), ResponseHead.MAX_HEAD_BYTES);
            int copied = DirectHttp1Handler.copyMoreOfHead(in, bytes, 0, available);
            ResponseHead.Outcome outcome = head.parse(bytes, copied, bodiless);
            while (outcome == ResponseHead.Outcome.INCOMPLETE && copied < available) {
                copied = DirectHttp1Handler.copyMoreOfHead(in, bytes, copied, available);
                outcome = head.parse(bytes, copied, bodiless);
            }
            if (outcome == ResponseHead.Outcome.INCOMPLETE) {
                partialHead = ctx.alloc().buffer(Math.max(1024, in.readableBytes() * 2));
                partialHead.writeBytes(in);
                in.release();
                return null;
            }
            if (outcome == ResponseHead.Outcome.MALFORMED || head.status == 101) {
                in.release();
                malformed(current, outcome == ResponseHead.Outcome.MALFORMED ? head.problem() : "unrequested protocol switch");
                return null;
            }
            in.skipBytes(head.length);
            if (head.status < 200) {
                if (!in.isReadable()) {
                    in.release();
                    return null; // an interim response (100, 103): the final one follows
                }
                continue;
            }
            clientHead = onResponseHead(current, head, bytes);
            return in;
        }
    }

    /** The client's copy of the head, written with the first body bytes (one buffer, one write, for small answers). */
    private ByteBuf onResponseHead(Exchange current, ResponseHead head, byte[] bytes) {
        current.forwarder().responseStarted(current, head.status);
        framing = head.framing;
        remaining = head.contentLength;
        upstreamCloses = head.upstreamCloses;
        closeClient = current.answerSaysClose();
        ChannelHandlerContext clientContext = current.client();
        int inline = head.framing == ResponseHead.Framing.LENGTH ? (int) Math.min(head.contentLength, MAX_INLINE_BODY) : 0;
        ByteBuf out = clientContext.alloc().directBuffer(head.length + 128 + inline);
        head.writeForClient(bytes, out, current.servingRegion(), current.requestId(), closeClient);
        return out;
    }

    private void body(ChannelHandlerContext ctx, Exchange current, ByteBuf in) {
        ChannelHandlerContext clientContext = current.client();
        ByteBuf head = clientHead;
        if (head != null) {
            clientHead = null;
            int take = framing == ResponseHead.Framing.LENGTH ? (int) Math.min(remaining, in.readableBytes()) : 0;
            if (take > 0 && take <= head.writableBytes()) {
                head.writeBytes(in, take); // a small body travels in the head's buffer
                remaining -= take;
            }
            clientContext.write(head, clientContext.voidPromise());
        }
        boolean done;
        switch (framing) {
            case NONE -> done = true;
            case LENGTH -> {
                int take = (int) Math.min(remaining, in.readableBytes());
                if (take > 0) {
                    clientContext.write(in.readRetainedSlice(take), clientContext.voidPromise());
                    remaining -= take;
                }
                done = remaining == 0;
            }
            case CHUNKED -> {
                int take;
                try {
                    take = chunks.consume(in);
                } catch (IllegalStateException e) {
                    malformed(current, e.getMessage());
                    return;
                }
                if (take > 0) {
                    clientContext.write(in.readRetainedSlice(take), clientContext.voidPromise());
                }
                done = chunks.done();
            }
            case CLOSE -> {
                int size = in.readableBytes();
                if (size > 0) {
                    ByteBuf chunkHead = clientContext.alloc().buffer(12);
                    chunkHead.writeCharSequence(Integer.toHexString(size), StandardCharsets.US_ASCII);
                    chunkHead.writeBytes(CRLF);
                    clientContext.write(chunkHead, clientContext.voidPromise());
                    clientContext.write(in.readRetainedSlice(size), clientContext.voidPromise());
                    clientContext.write(clientContext.alloc().buffer(2).writeBytes(CRLF), clientContext.voidPromise());
                }
                done = false; // ends when the backend closes
            }
            default -> throw new IllegalStateException("framing " + framing);
        }
        if (done) {
            // Anything after the response is not ours to pass on: the connection is not reused.
            complete(ctx, current, !in.isReadable());
        }
    }

    /** The response ended: the client gets the rest, the connection goes back to the pool or closes. */
    private void complete(ChannelHandlerContext ctx, Exchange current, boolean clean) {
        exchange = null;
        framing = null;
        FlushAtEndOfLoop.flush(current.client().channel());
        boolean reusable = clean && !upstreamCloses && ctx.channel().isActive();
        if (reusable) {
            proxy.upstreams().release(current.endpoint(), ctx.channel(), UpstreamConnections.Framing.RAW);
        } else {
            ctx.close();
        }
        current.forwarder().finish(current, current.status(), null, closeClient);
    }

    private void malformed(Exchange current, String problem) {
        exchange = null;
        framing = null;
        current.forwarder().fail(current, HttpResponseStatus.BAD_GATEWAY, "upstream " + current.endpoint()
                + " sent a malformed response: " + problem); // closes this connection
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange current = exchange;
        if (current != null && !current.finished()) {
            ChannelHandlerContext clientContext = current.client();
            if (current.responseStarted()) {
                FlushAtEndOfLoop.flush(clientContext.channel()); // what has come of the body so far
            }
            if (clientContext.channel().isWritable()) {
                ctx.read();
            }
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (partialHead != null) {
            partialHead.release();
            partialHead = null;
        }
        if (clientHead != null) {
            clientHead.release();
            clientHead = null;
        }
        Exchange current = exchange;
        if (current != null && !current.finished()) {
            if (framing == ResponseHead.Framing.CLOSE) {
                ChannelHandlerContext clientContext = current.client();
                clientContext.write(clientContext.alloc().buffer(LAST_CHUNK.length).writeBytes(LAST_CHUNK),
                        clientContext.voidPromise());
                complete(ctx, current, false);
            } else {
                exchange = null;
                if (!current.responseStarted()) {
                    proxy.regions().health().recordFailure(current.endpoint());
                }
                if (!current.forwarder().retryOnFreshConnection(current)) {
                    current.forwarder().fail(current, HttpResponseStatus.BAD_GATEWAY, "upstream " + current.endpoint()
                            + " closed the connection before the response was complete");
                }
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && exchange == null) {
            ctx.close(); // idle in the pool for too long
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // channelInactive answers the client
    }
}
