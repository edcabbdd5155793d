package io.homeport.tls;

import io.homeport.config.GatewayConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * A PEM certificate chain and its private key, read and checked: the chain parses, the leaf is
 * within its validity period, and the key is the leaf's (a replaced certificate whose key has not
 * been replaced yet is refused, not served). {@link #names()} are the host names SNI selects it
 * by: the leaf's DNS subject alternative names, or its common name when it has none.
 */
public record ServerCertificate(Path certFile, List<X509Certificate> chain, PrivateKey key, List<String> names) {

    private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PKCS8_END = "-----END PRIVATE KEY-----";
    private static final int SAN_DNS_NAME = 2;

    public ServerCertificate {
        chain = List.copyOf(chain);
        names = List.copyOf(names);
    }

    /** Reads and checks the files. */
    public static ServerCertificate load(GatewayConfig.Certificate files) throws InvalidCertificateException {
        List<X509Certificate> chain = readChain(files.cert());
        X509Certificate leaf = chain.get(0);
        try {
            leaf.checkValidity();
        } catch (CertificateException e) {
            throw new InvalidCertificateException(files.cert() + ": certificate is not valid now (valid "
                    + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant() + ")", e);
        }
        PrivateKey key = readKey(files.key(), leaf.getPublicKey().getAlgorithm());
        checkKeyMatches(files, leaf, key);
        List<String> names = names(leaf);
        if (names.isEmpty()) {
            throw new InvalidCertificateException(files.cert() + ": certificate names no host (no DNS subject alternative name, no CN)");
        }
        return new ServerCertificate(files.cert(), chain, key, names);
    }

    X509Certificate leaf() {
        return chain.get(0);
    }

    private static List<X509Certificate> readChain(Path file) throws InvalidCertificateException {
        byte[] pem = read(file);
        try {
            Collection<? extends java.security.cert.Certificate> parsed =
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
            List<X509Certificate> chain = new ArrayList<>();
            for (java.security.cert.Certificate certificate : parsed) {
                chain.add((X509Certificate) certificate);
            }
            if (chain.isEmpty()) {
                throw new InvalidCertificateException(file + ": no certificate found (expected: PEM \"BEGIN CERTIFICATE\")");
            }
            return chain;
        } catch (CertificateException e) {
            throw new InvalidCertificateException(file + ": not a PEM certificate chain: " + e.getMessage(), e);
        }
    }

    private static PrivateKey readKey(Path file, String algorithm) throws InvalidCertificateException {
        String pem = new String(read(file), StandardCharsets.US_ASCII);
        int begin = pem.indexOf(PKCS8_BEGIN);
        int end = pem.indexOf(PKCS8_END);
        if (begin < 0 || end < begin) {
            String hint = pem.contains("ENCRYPTED PRIVATE KEY") ? "encrypted keys are not supported"
                    : pem.contains("RSA PRIVATE KEY") || pem.contains("EC PRIVATE KEY")
                            ? "a PKCS#1/SEC1 key; convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8"
                            : "no PEM private key found";
            throw new InvalidCertificateException(file + ": " + hint + " (expected: PEM \"BEGIN PRIVATE KEY\", PKCS#8)");
        }
        try {
            String base64 = pem.substring(begin + PKCS8_BEGIN.length(), end).replaceAll("\\s", "");
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new InvalidCertificateException(file + ": not a readable " + algorithm + " private key: " + e.getMessage(), e);
        }
    }

    /** Signs with the key and verifies with the certificate: the cheapest check that works for every key type. */
    private static void checkKeyMatches(GatewayConfig.Certificate files, X509Certificate leaf, PrivateKey key)
            throws InvalidCertificateException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm();
            default -> null; // an unusual key type: the handshake will tell
        };
        if (algorithm == null) {
            return;
        }
        try {
            byte[] probe = "homeport key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new InvalidCertificateException(files.key() + ": private key does not match the certificate " + files.cert());
            }
        } catch (GeneralSecurityException e) {
            throw new InvalidCertificateException(files.key() + ": private key does not match the certificate " + files.cert()
                    + ": " + e.getMessage(), e);
        }
    }

    static List<String> names(X509Certificate leaf) throws InvalidCertificateException {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = leaf.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    if (((Integer) alternative.get(0)) == SAN_DNS_NAME) {
                        names.add(((String) alternative.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
            if (names.isEmpty()) {
                for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        names.add(rdn.getValue().toString().toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateException | InvalidNameException e) {
            throw new InvalidCertificateException("certificate " + leaf.getSubjectX500Principal() + ": unreadable names", e);
        }
        return names;
    }

    private static byte[] read(Path file) throws InvalidCertificateException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidCertificateException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
