package io.homeport.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS implementation terminates connections: OpenSSL (BoringSSL, from
 * netty-tcnative-boringssl-static) where its native library loads, which is faster and lighter
 * on memory; the JDK's otherwise. {@code -Dhomeport.tls.provider=jdk} (or {@code openssl}) forces
 * one.
 */
public final class TlsProvider {

    public static final String PROPERTY = "homeport.tls.provider";

    private static final Logger logger = LoggerFactory.getLogger(TlsProvider.class);

    private TlsProvider() {}

    /** The provider to use, logged once per choice. */
    public static SslProvider select() {
        String forced = System.getProperty(PROPERTY, "").toLowerCase(Locale.ROOT);
        if (forced.equals("jdk")) {
            logger.info("TLS provider: JDK ({}={})", PROPERTY, forced);
            return SslProvider.JDK;
        }
        if (SslProvider.isAlpnSupported(SslProvider.OPENSSL)) {
            logger.info("TLS provider: OpenSSL ({})", OpenSsl.versionString());
            return SslProvider.OPENSSL;
        }
        if (forced.equals("openssl")) {
            throw new IllegalStateException(PROPERTY + "=openssl but OpenSSL is unavailable: " + OpenSsl.unavailabilityCause());
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        logger.info("TLS provider: JDK (OpenSSL unavailable: {})", cause == null ? "no ALPN support" : cause.toString());
        return SslProvider.JDK;
    }
}
