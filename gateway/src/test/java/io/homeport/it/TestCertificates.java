package io.homeport.it;

import io.homeport.config.GatewayConfig;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Certificates made at test time (netty-pkitesting) by a throwaway certificate authority, written
 * as the PEM files a gateway.yaml names; clients trust the authority.
 */
final class TestCertificates {

    private final Path directory;
    private final X509Bundle authority;

    TestCertificates(Path directory) throws Exception {
        this.directory = directory;
        this.authority = new CertificateBuilder()
                .subject("CN=Homeport Test CA")
                .ecp256()
                .setIsCertificateAuthority(true)
                .notBefore(Instant.now().minus(1, ChronoUnit.DAYS))
                .notAfter(Instant.now().plus(30, ChronoUnit.DAYS))
                .buildSelfSigned();
    }

    /** A certificate and key written to {@code <stem>.pem} and {@code <stem>.key}. */
    record Written(X509Bundle bundle, Path cert, Path key) {
        GatewayConfig.Certificate files() {
            return new GatewayConfig.Certificate(cert, key);
        }

        X509Certificate certificate() {
            return bundle.getCertificate();
        }
    }

    /** Issues a certificate with CN {@code names[0]} and every name as a DNS subject alternative name, and writes it. */
    Written write(String stem, String... names) throws Exception {
        return write(stem, create(names));
    }

    /** Issues a certificate with CN {@code names[0]} and every name as a DNS subject alternative name. */
    X509Bundle create(String... names) throws Exception {
        CertificateBuilder builder = new CertificateBuilder()
                .subject("CN=" + names[0])
                .ecp256()
                .notBefore(Instant.now().minus(1, ChronoUnit.DAYS))
                .notAfter(Instant.now().plus(30, ChronoUnit.DAYS))
                .addExtendedKeyUsageServerAuth();
        // The SAN extension written here: the builder's addSanDnsName refuses wildcards.
        GeneralName[] dnsNames = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
            dnsNames[i] = new GeneralName(GeneralName.dNSName, names[i]);
        }
        builder.addExtensionOctetString(Extension.subjectAlternativeName.getId(), false, new GeneralNames(dnsNames).getEncoded());
        return builder.buildIssuedBy(authority, "SHA256withECDSA");
    }

    /** Writes {@code bundle}, each file replaced in one rename as a certificate manager would. */
    Written write(String stem, X509Bundle bundle) throws Exception {
        Path cert = directory.resolve(stem + ".pem");
        Path key = directory.resolve(stem + ".key");
        replace(cert, bundle.getCertificatePEM());
        replace(key, bundle.getPrivateKeyPEM());
        return new Written(bundle, cert, key);
    }

    static void replace(Path file, String content) throws Exception {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A client context trusting the authority, so every certificate it issued. */
    SSLContext clientContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, authority.toTrustManagerFactory().getTrustManagers(), new SecureRandom());
        return context;
    }

    /** A client context that accepts any server certificate: for looking at which one a server presents. */
    static SSLContext trustingAnything() throws Exception {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
        return context;
    }
}
