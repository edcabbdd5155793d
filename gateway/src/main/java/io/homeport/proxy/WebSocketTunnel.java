package io.homeport.proxy;

import io.homeport.netty.Closing;
import io.homeport.upstream.UpstreamConnections;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket passed through to the home region's backend. The opening handshake is an ordinary
 * proxied request (routed by the same decision, with {@code Upgrade} and {@code Connection} kept);
 * when the backend answers 101, both the client connection and its upstream connection stop
 * speaking HTTP and relay bytes both ways, frames untouched, until either side closes.
 *
 * <p>Implementation notes: the switch happens on the event loop both connections share, while
 * the 101 is being read. The 101 is written through the client's HTTP codec, then the codec and
 * everything after it (flow control, request checks, the proxy handler) leave the pipeline and a
 * {@link Relay} takes their place; TLS and the idle timer stay. Bytes the codecs had already read
 * past the handshake are handed to the relays as they leave; the upstream codec leaves last, once
 * the 101 is written, so what the backend sent right behind it follows it. Each relay reads its side only while
 * the other side is writable. The exchange is finished (access log, metrics) at the 101: a
 * WebSocket may live for hours, so a graceful shutdown does not wait for it. Over HTTP/2 the
 * opening handshake is an extended CONNECT (RFC 8441), which the gateway does not offer.
 */
final class WebSocketTunnel {

    private static final Logger logger = LoggerFactory.getLogger(WebSocketTunnel.class);

    static final String RELAY = "websocket-relay";

    private WebSocketTunnel() {}

    /** Whether this upstream answer opens a tunnel: a 101 to a forwarded WebSocket handshake from an HTTP/1.1 client. */
    static boolean opens(Exchange current, CodecRequest request, HttpResponse response) {
        return response.status().code() == 101
                && ForwardedHeaders.isWebSocketUpgrade(request.message.headers())
                && current.client.pipeline().get(HttpServerCodec.class) != null;
    }

    /**
     * Answers the client with the backend's 101 and turns both connections into a byte relay.
     * Called from the upstream connection's relay handler, {@code upstreamCtx}, which it replaces.
     */
    static void open(ChannelHandlerContext upstreamCtx, Exchange current, HttpResponse response) {
        Channel client = current.client.channel();
        Channel upstream = upstreamCtx.channel();
        current.forwarder.responseStarted(current, 101);

        ChannelPipeline upstreamPipeline = upstream.pipeline();
        upstreamPipeline.replace(upstreamCtx.handler(), RELAY, new Relay(client));

        HttpHeaders headers = response.headers();
        ForwardedHeaders.stripHopByHop(headers);
        ForwardedHeaders.keepWebSocketUpgrade(headers);
        headers.set(ForwardedHeaders.X_HOMEPORT_REGION, current.servingRegion);
        if (!headers.contains(ForwardedHeaders.X_REQUEST_ID)) {
            headers.set(ForwardedHeaders.X_REQUEST_ID, current.requestId());
        }
        FullHttpResponse switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(), Unpooled.EMPTY_BUFFER);
        switching.headers().set(headers);
        current.client.writeAndFlush(switching);
        current.forwarder.finish(current, 101, null, false);

        switchToBytes(client.pipeline(), new Relay(upstream));
        // Only now, after the 101: what the backend sent right behind its 101 goes on to the client.
        if (upstreamPipeline.get(UpstreamConnections.IDLE) != null) {
            upstreamPipeline.remove(UpstreamConnections.IDLE); // the client side's idle timer governs the tunnel
        }
        upstreamPipeline.remove(UpstreamConnections.CODEC);
        if (!client.isActive()) {
            upstream.close(); // the client left meanwhile: its relay will never see it go
            return;
        }
        upstream.read();
        client.read();
    }

    /** Replaces the HTTP codec and every handler after it with {@code relay}. */
    private static void switchToBytes(ChannelPipeline pipeline, Relay relay) {
        String codec = pipeline.context(HttpServerCodec.class).name();
        List<String> after = new ArrayList<>();
        boolean seen = false;
        for (String name : pipeline.toMap().keySet()) {
            if (seen) {
                after.add(name);
            }
            seen |= name.equals(codec);
        }
        for (String name : after) {
            pipeline.remove(name);
        }
        pipeline.addLast(RELAY, relay);
        pipeline.remove(codec); // bytes it held past the handshake go on to the relay
    }

    /** One side of the tunnel: what its channel reads, the peer writes; it reads on only while the peer can take more. */
    static final class Relay extends ChannelInboundHandlerAdapter {

        private final Channel peer;

        Relay(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes) {
                peer.write(bytes, peer.voidPromise());
            } else {
                ReferenceCountUtil.release(msg); // the empty end of the 101 from the upstream codec
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
            if (peer.isWritable()) {
                ctx.read();
            } // else the peer's relay reads this side again when the peer drains
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                peer.read();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer.isActive()) {
                Closing.afterWrites(peer);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                ctx.close(); // nothing either way for the client idle timeout; clients keep a WebSocket alive with pings
                return;
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            logger.debug("WebSocket tunnel {} failed", ctx.channel(), cause);
            ctx.close();
        }
    }
}
