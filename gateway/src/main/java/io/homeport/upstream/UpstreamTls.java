package io.homeport.upstream;

import io.homeport.rules.Endpoint;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS to {@code https://} endpoints: the JDK's trusted certificate authorities, TLS 1.2 or 1.3,
 * and the endpoint's host name verified against its certificate, so that user data crossing to a
 * region's backends is neither readable nor redirectable on the way.
 */
final class UpstreamTls {

    private static final SslContext CONTEXT = build();

    private UpstreamTls() {}

    static SslHandler handler(Channel channel, Endpoint endpoint) {
        SslHandler handler = CONTEXT.newHandler(channel.alloc(), endpoint.host(), endpoint.port());
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return handler;
    }

    private static SslContext build() {
        try {
            return SslContextBuilder.forClient().protocols("TLSv1.3", "TLSv1.2").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the upstream TLS context", e);
        }
    }
}
