package io.homeport.tls;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProtocols;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import javax.net.ssl.SSLException;

/**
 * Server SslContexts with modern defaults: TLS 1.3 and 1.2 only, the AEAD cipher suites HTTP/2
 * allows (RFC 7540 appendix A lists what it forbids), and ALPN offering h2 then http/1.1.
 */
final class ServerSslContexts {

    private static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            // Clients that share no protocol with us get http/1.1, the fallback, rather than a failed handshake.
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2,
            ApplicationProtocolNames.HTTP_1_1);

    private ServerSslContexts() {}

    static SslContext build(ServerCertificate certificate, SslProvider provider) throws InvalidCertificateException {
        try {
            return SslContextBuilder.forServer(certificate.key(), certificate.chain())
                    .sslProvider(provider)
                    .protocols(SslProtocols.TLS_v1_3, SslProtocols.TLS_v1_2)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(ALPN)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new InvalidCertificateException(certificate.certFile() + ": cannot serve it with " + provider + ": "
                    + e.getMessage(), e);
        }
    }
}
