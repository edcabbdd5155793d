package io.homeport.proxy.h1;

import io.homeport.netty.FlushAtEndOfLoop;
import io.homeport.proxy.Exchange;
import io.homeport.proxy.UpstreamRequest;
import io.homeport.upstream.UpstreamConnections;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;

/**
 * An exchange's request on the direct path: the upstream head as wire bytes, written as they are;
 * {@link DirectUpstream} reads the answer the same way.
 */
final class DirectRequest implements UpstreamRequest {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] X_HOMEPORT_REGION = RequestHead.Names.ascii("x-homeport-region: ");

    /** The upstream request head without its last field (the serving region) and final CRLF. */
    private final ByteBuf head;

    DirectRequest(ByteBuf head) {
        this.head = head;
    }

    @Override
    public UpstreamConnections.Framing framing() {
        return UpstreamConnections.Framing.RAW;
    }

    @Override
    public void send(Exchange exchange, Channel upstream) {
        DirectUpstream relay = upstream.pipeline().get(DirectUpstream.class);
        if (relay == null) {
            relay = new DirectUpstream(exchange.forwarder().proxy());
            upstream.pipeline().addLast(relay);
        }
        relay.bind(exchange);
        String region = exchange.servingRegion();
        ByteBuf request = upstream.alloc().directBuffer(head.readableBytes() + X_HOMEPORT_REGION.length + region.length() + 4);
        request.writeBytes(head, head.readerIndex(), head.readableBytes());
        request.writeBytes(X_HOMEPORT_REGION);
        request.writeCharSequence(region, StandardCharsets.US_ASCII);
        request.writeBytes(CRLF).writeBytes(CRLF);
        upstream.write(request, upstream.voidPromise()); // a failed write closes it, and its close answers the client
        FlushAtEndOfLoop.flush(upstream);
        upstream.read();
    }

    @Override
    public void release() {
        head.release();
    }
}
