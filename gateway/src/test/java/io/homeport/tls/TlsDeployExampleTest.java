package io.homeport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.config.GatewayConfig;
import io.homeport.config.GatewayConfigLoader;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/tls/gateway-tls.example.yaml stays loadable, and serves the kind of certificate its script makes. */
class TlsDeployExampleTest {

    @TempDir
    Path directory;

    @Test
    void theTlsExampleLoads() throws Exception {
        Path checkout = Path.of("..").toAbsolutePath().normalize();
        String example = Files.readString(checkout.resolve("deploy/tls/gateway-tls.example.yaml"))
                .replace("../../", checkout + "/");
        Files.writeString(directory.resolve("gateway.yaml"), example);
        Certificates.write(directory, "demo", Certificates.builder("localhost", "localhost", "*.homeport.test").buildSelfSigned());
        Files.move(directory.resolve("demo.pem"), directory.resolve("demo-cert.pem"));
        Files.move(directory.resolve("demo.key"), directory.resolve("demo-key.pem"));
        Files.write(directory.resolve("demo-user-hash.key"), new byte[32]);

        GatewayConfig config = GatewayConfigLoader.load(directory.resolve("gateway.yaml"));

        GatewayConfig.Listener tls = config.listeners().get(0);
        assertThat(tls.tls()).isPresent();
        assertThat(config.listeners().get(1).tls()).isEmpty();
        assertThat(SniCertificates.load(tls.tls().get(), SslProvider.JDK).certificates().get(0).names())
                .containsExactly("localhost", "*.homeport.test");
    }
}
