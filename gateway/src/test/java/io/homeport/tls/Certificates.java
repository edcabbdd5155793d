package io.homeport.tls;

import io.homeport.config.GatewayConfig;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/** Self-signed certificates for unit tests, written as PEM files. */
final class Certificates {

    private Certificates() {}

    static CertificateBuilder builder(String commonName, String... dnsNames) throws Exception {
        CertificateBuilder builder = new CertificateBuilder()
                .subject("CN=" + commonName)
                .ecp256()
                .setIsCertificateAuthority(true) // what the builder requires of a self-signed certificate
                .notBefore(Instant.now().minus(1, ChronoUnit.DAYS))
                .notAfter(Instant.now().plus(30, ChronoUnit.DAYS));
        if (dnsNames.length > 0) {
            GeneralName[] names = new GeneralName[dnsNames.length];
            for (int i = 0; i < dnsNames.length; i++) {
                names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            builder.addExtensionOctetString(Extension.subjectAlternativeName.getId(), false, new GeneralNames(names).getEncoded());
        }
        return builder;
    }

    static GatewayConfig.Certificate write(Path directory, String stem, X509Bundle bundle) throws Exception {
        Path cert = directory.resolve(stem + ".pem");
        Path key = directory.resolve(stem + ".key");
        Files.writeString(cert, bundle.getCertificatePEM());
        Files.writeString(key, bundle.getPrivateKeyPEM());
        return new GatewayConfig.Certificate(cert, key);
    }

    static GatewayConfig.Certificate write(Path directory, String stem, String commonName, String... dnsNames) throws Exception {
        return write(directory, stem, builder(commonName, dnsNames).buildSelfSigned());
    }
}
