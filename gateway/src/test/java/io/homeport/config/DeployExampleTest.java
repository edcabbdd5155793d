package io.homeport.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.upstream.UpstreamTimeouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented deployment file stays loadable: no key in it is unknown or malformed. */
class DeployExampleTest {

    @TempDir
    Path directory;

    @Test
    void theExampleGatewayYamlLoads() throws Exception {
        String example = Files.readString(Path.of("../deploy/gateway.example.yaml"))
                .replace("/var/lib/GeoIP/GeoLite2-Country.mmdb", "geoip.mmdb")
                .replace("../routing-rules/examples/production.yaml", "rules.yaml")
                .replace("/etc/homeport/user-hash.key", "user-hash.key");
        Files.write(directory.resolve("user-hash.key"), new byte[32]);
        Files.writeString(directory.resolve("gateway.yaml"), example);
        Files.writeString(directory.resolve("rules.yaml"), "version: 1\n");
        Files.copy(Path.of("src/test/resources/geoip/GeoLite2-Country-Test.mmdb"), directory.resolve("geoip.mmdb"),
                StandardCopyOption.REPLACE_EXISTING);

        GatewayConfig config = GatewayConfigLoader.load(directory.resolve("gateway.yaml"));

        assertThat(config.listeners()).singleElement().satisfies(l -> assertThat(l.address().port()).isEqualTo(8080));
        assertThat(config.upstream()).isEqualTo(UpstreamTimeouts.DEFAULTS);
        assertThat(config.health().checkPath()).isEmpty();
    }
}
