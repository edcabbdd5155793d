package io.homeport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCertificateTest {

    @TempDir
    Path directory;

    @Test
    void namesAreTheDnsSubjectAlternativeNames() throws Exception {
        GatewayConfig.Certificate files = Certificates.write(directory, "a", "Api.Example.Test", "api.example.test", "*.API.example.test");

        assertThat(ServerCertificate.load(files).names()).containsExactly("api.example.test", "*.api.example.test");
    }

    @Test
    void withoutSubjectAlternativeNamesTheCommonNameIsTheName() throws Exception {
        GatewayConfig.Certificate files = Certificates.write(directory, "a", "legacy.example.test");

        assertThat(ServerCertificate.load(files).names()).containsExactly("legacy.example.test");
    }

    @Test
    void refusesAKeyThatIsNotTheCertificates() throws Exception {
        GatewayConfig.Certificate one = Certificates.write(directory, "one", "one.test", "one.test");
        GatewayConfig.Certificate two = Certificates.write(directory, "two", "two.test", "two.test");

        assertThatThrownBy(() -> ServerCertificate.load(new GatewayConfig.Certificate(one.cert(), two.key())))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("two.key: private key does not match the certificate");
    }

    @Test
    void refusesAnExpiredCertificate() throws Exception {
        GatewayConfig.Certificate files = Certificates.write(directory, "old", Certificates.builder("old.test", "old.test")
                .notBefore(Instant.now().minus(60, ChronoUnit.DAYS))
                .notAfter(Instant.now().minus(1, ChronoUnit.DAYS))
                .buildSelfSigned());

        assertThatThrownBy(() -> ServerCertificate.load(files)).hasMessageContaining("old.pem: certificate is not valid now");
    }

    @Test
    void refusesWhatIsNotPem() throws Exception {
        GatewayConfig.Certificate files = Certificates.write(directory, "a", "a.test", "a.test");
        Files.writeString(files.cert(), "hello");

        assertThatThrownBy(() -> ServerCertificate.load(files)).isInstanceOf(InvalidCertificateException.class)
                .hasMessageStartingWith(files.cert().toString());
    }

    @Test
    void explainsHowToConvertAPkcs1Key() throws Exception {
        GatewayConfig.Certificate files = Certificates.write(directory, "a", "a.test", "a.test");
        Files.writeString(files.key(), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");

        assertThatThrownBy(() -> ServerCertificate.load(files)).hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void refusesAMissingFile() throws Exception {
        GatewayConfig.Certificate files = Certificates.write(directory, "a", "a.test", "a.test");
        Files.delete(files.key());

        assertThatThrownBy(() -> ServerCertificate.load(files)).hasMessageContaining("a.key: cannot read");
    }
}
