package io.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.geoip.GeoIpFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code homeport geodns}: the zone and settings written from the table, or the table's mistake named. */
class GeoDnsCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesTheZoneAndTheSettingsFromTheExampleTable() throws Exception {
        CommandRun run = CommandRun.of("geodns", "--edges", "../deploy/geodns/edges.example.yaml",
                "--geoip", GeoIpFixtures.GEOLITE2_COUNTRY.toString(), "--name-server", "192.0.2.53", "--out", dir.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("api.example.com answers 3 edges (default us), TTL 60 s");
        assertThat(Files.readString(dir.resolve("geo-zones.yaml"))).contains("    tw.countries.example.com:\n      - a: 198.51.100.20\n");
        assertThat(Files.readString(dir.resolve("pdns-geoip.conf"))).contains("geoip-zones-file=" + dir.resolve("geo-zones.yaml").toAbsolutePath());
    }

    @Test
    void aBadTableOrDatabaseIsRefusedAndNothingIsWritten() throws Exception {
        Path table = Files.writeString(dir.resolve("edges.yaml"), "zone: example.com\nedges:\n  - {name: a, addresses: [192.0.2.1], countries: [UK], default: true}\n");
        CommandRun bad = CommandRun.of("geodns", "--edges", table.toString(), "--geoip", GeoIpFixtures.GEOLITE2_COUNTRY.toString(),
                "--out", dir.resolve("out").toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains(table + ":3:5: edge a: \"UK\" is not an ISO 3166 country code");
        CommandRun damaged = CommandRun.of("geodns", "--edges", "../deploy/geodns/edges.example.yaml",
                "--geoip", "src/test/resources/geoip/truncated.mmdb", "--out", dir.resolve("out").toString());
        assertThat(damaged.exitCode()).isEqualTo(1);
        assertThat(damaged.err()).contains("GeoIP database refused");
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
