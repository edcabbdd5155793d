package io.homeport.geodns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeTableFileTest {

    @TempDir
    Path directory;

    @Test
    void theExampleTableLoads() throws Exception {
        EdgeTable table = EdgeTableFile.load(Path.of("../deploy/geodns/edges.example.yaml"));
        assertThat(table.serviceName()).isEqualTo("api.example.com");
        assertThat(table.ttlSeconds()).isEqualTo(60);
        assertThat(table.edgeFor("CN").name()).isEqualTo("beijing");
        assertThat(table.edgeFor("IN").name()).isEqualTo("singapore");
        assertThat(table.edgeFor("BR").name()).isEqualTo("us");
        assertThat(table.edgeFor(null).name()).isEqualTo("us");
        assertThat(table.edgeFor("CN").ipv6()).containsExactly(InetAddress.getByName("2001:db8:10::1"));
    }

    @Test
    void norwayStaysACountry() throws Exception {
        EdgeTable table = load("zone: example.com\nedges:\n  - {name: oslo, addresses: [192.0.2.1], countries: [NO], default: true}\n");
        assertThat(table.edgeFor("NO").name()).isEqualTo("oslo");
        assertThat(table.service()).isEqualTo("api");
    }

    @Test
    void errorsNameTheFileAndThePlace() {
        assertThatThrownBy(() -> load("zone: example.com\nedges:\n  - {name: a, addresses: [192.0.2.1], default: true}\n"
                + "  - {name: b, addresses: [api.example.com]}\n"))
                .hasMessageEndingWith("edges.yaml:4:27: \"api.example.com\" is not an IPv4 or IPv6 address");
        assertThatThrownBy(() -> load("zone: example.com\nedges:\n  - {name: a, adresses: [192.0.2.1]}\n"))
                .hasMessageContaining("edges.yaml:3:15: unknown key \"adresses\"");
        assertThatThrownBy(() -> load("zone: example.com\nedges:\n  - {name: a, addresses: [192.0.2.1], countries: [CN], default: true}\n"
                + "  - {name: b, addresses: [192.0.2.2], countries: [CN]}\n"))
                .hasMessageContaining("edges.yaml:3:3: CN is served by two edges");
        assertThatThrownBy(() -> load("zone: example.com\nedges:\n  - {name: a, addresses: [192.0.2.1], countries: [XX]}\n"))
                .hasMessageContaining("edges.yaml:3:5: edge a: \"XX\" is not an ISO 3166 country code");
        assertThatThrownBy(() -> load("zone: example.com\nedges:\n  - {name: a, addresses: [192.0.2.1]}\n"))
                .hasMessageContaining("edges.yaml:3:3: 0 default edges");
    }

    private EdgeTable load(String text) throws Exception {
        Path file = directory.resolve("edges.yaml");
        Files.writeString(file, text);
        return EdgeTableFile.load(file);
    }
}
