package io.homeport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.config.GatewayConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SniCertificatesTest {

    @TempDir
    Path directory;

    GatewayConfig.Certificate api;
    GatewayConfig.Certificate web;
    SniCertificates certificates;

    @BeforeEach
    void load() throws Exception {
        api = Certificates.write(directory, "api", "api.test", "api.test");
        web = Certificates.write(directory, "web", "web.test", "web.test", "*.cdn.test", "api.test");
        certificates = SniCertificates.load(new GatewayConfig.Tls(List.of(api, web)), SslProvider.JDK);
    }

    @Test
    void mapsNamesToTheirCertificateAndAnythingElseToTheFirst() {
        SslContext first = certificates.map(null);

        assertThat(certificates.map("api.test")).isSameAs(first);
        assertThat(certificates.map("web.test")).isNotSameAs(first);
        assertThat(certificates.map("img.cdn.test")).isSameAs(certificates.map("web.test"));
        assertThat(certificates.map("a.b.cdn.test")).as("a wildcard covers one label").isSameAs(first);
        assertThat(certificates.map("unknown.test")).isSameAs(first);
        assertThat(certificates.map("api.test")).as("the first certificate naming a host wins").isSameAs(first);
    }

    @Test
    void reloadsOnlyWhenAFileChanged() throws Exception {
        SslContext before = certificates.map("web.test");
        assertThat(certificates.reloadIfChanged()).isEqualTo(SniCertificates.Reload.UNCHANGED);

        replace(web, Certificates.builder("web.test", "web.test", "www.test").buildSelfSigned());

        assertThat(certificates.reloadIfChanged()).isEqualTo(SniCertificates.Reload.RELOADED);
        assertThat(certificates.map("web.test")).isNotSameAs(before);
        assertThat(certificates.map("www.test")).isSameAs(certificates.map("web.test"));
        assertThat(certificates.reloadIfChanged()).isEqualTo(SniCertificates.Reload.UNCHANGED);
    }

    @Test
    void aRefusedReloadKeepsTheOldCertificatesUntilTheFilesChangeAgain() throws Exception {
        SslContext before = certificates.map("web.test");
        Files.writeString(web.key(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        touch(web.key());

        assertThat(certificates.reloadIfChanged()).isEqualTo(SniCertificates.Reload.REFUSED);
        assertThat(certificates.map("web.test")).isSameAs(before);
        assertThat(certificates.reloadIfChanged()).as("not retried until the files change").isEqualTo(SniCertificates.Reload.UNCHANGED);

        replace(web, Certificates.builder("web.test", "web.test").buildSelfSigned());
        assertThat(certificates.reloadIfChanged()).isEqualTo(SniCertificates.Reload.RELOADED);
    }

    @Test
    void loadingFailsOnTheFirstCertificateThatCannotServe() throws Exception {
        Files.writeString(web.cert(), "nope");

        assertThatThrownBy(() -> SniCertificates.load(new GatewayConfig.Tls(List.of(api, web)), SslProvider.JDK))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("web.pem");
    }

    private static void replace(GatewayConfig.Certificate files, io.netty.pkitesting.X509Bundle bundle) throws Exception {
        Files.writeString(files.cert(), bundle.getCertificatePEM());
        Files.writeString(files.key(), bundle.getPrivateKeyPEM());
        touch(files.cert());
    }

    /** A distinct modification time even on file systems with coarse timestamps. */
    private static void touch(Path file) throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds((long) (Math.random() * 1000) + 1)));
    }
}
