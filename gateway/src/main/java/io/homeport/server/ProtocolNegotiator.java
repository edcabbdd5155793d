package io.homeport.server;

import io.homeport.proxy.h1.DirectHttp1Handler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composes a TLS connection for the protocol its handshake chose by ALPN: HTTP/2, or HTTP/1.1,
 * which is also what clients that offer no ALPN get.
 */
final class ProtocolNegotiator extends ApplicationProtocolNegotiationHandler {

    private static final Logger logger = LoggerFactory.getLogger(ProtocolNegotiator.class);

    private final Consumer<ChannelPipeline> http1;
    private final Consumer<ChannelPipeline> http2;

    ProtocolNegotiator(Consumer<ChannelPipeline> http1, Consumer<ChannelPipeline> http2) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.http1 = http1;
        this.http2 = http2;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read(); // AUTO_READ is off and nothing else asks yet: the handshake needs the ClientHello
        super.channelActive(ctx);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            http2.accept(ctx.pipeline());
        } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
            http1.accept(ctx.pipeline());
            if (ctx.pipeline().get(DirectHttp1Handler.class) != null) {
                return; // it asks for the first read itself, and hands the full pipeline a connection already reading
            }
            // The proxy handler arrives after the connection became active, so it never asked for a
            // request: ask from the tail, through the flow-control handler, as the proxy would. Asked
            // once this handler has passed on what arrived with the handshake (TLS 1.3 clients send
            // their request with their Finished message), so that the request is not left queued.
            Channel channel = ctx.channel();
            channel.eventLoop().execute(channel::read);
        } else {
            logger.debug("{} negotiated unsupported protocol {}", ctx.channel(), protocol);
            ctx.close();
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        // Scanners, old clients (TLS 1.1, weak ciphers) and dropped connections: routine on a public port.
        logger.debug("{} TLS handshake failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
