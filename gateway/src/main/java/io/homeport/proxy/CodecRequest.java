package io.homeport.proxy;

import io.homeport.upstream.UpstreamConnections;
import io.homeport.upstream.UpstreamHttpCodec;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * An exchange's request on the codec path: Netty's message with the upstream headers, written
 * through the upstream connection's HTTP codec; {@link UpstreamRelay} reads the answer.
 */
final class CodecRequest implements UpstreamRequest {

    final HttpRequest message;
    final HttpVersion clientVersion;
    final ProxyHandler owner;

    CodecRequest(HttpRequest message, HttpVersion clientVersion, ProxyHandler owner) {
        this.message = message;
        this.clientVersion = clientVersion;
        this.owner = owner;
    }

    @Override
    public UpstreamConnections.Framing framing() {
        return UpstreamConnections.Framing.HTTP_CODEC;
    }

    @Override
    public void send(Exchange exchange, Channel upstream) {
        UpstreamRelay relay = upstream.pipeline().get(UpstreamRelay.class);
        if (relay == null) {
            relay = new UpstreamRelay(exchange.forwarder.proxy());
            upstream.pipeline().addLast(relay);
        }
        relay.bind(exchange, this);
        if (upstream.pipeline().get(UpstreamConnections.CODEC) instanceof UpstreamHttpCodec codec) {
            codec.expect(message.method()); // the answer to a HEAD has no body
        }
        message.headers().set(ForwardedHeaders.X_HOMEPORT_REGION, exchange.servingRegion);
        upstream.write(message).addListener(owner::onUpstreamWrite);
        if (exchange.requestComplete) {
            // A retry of a bodiless request whose (empty) last chunk went to the dead connection.
            upstream.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(owner::onUpstreamWrite);
        }
        upstream.flush();
        upstream.read();
    }
}
