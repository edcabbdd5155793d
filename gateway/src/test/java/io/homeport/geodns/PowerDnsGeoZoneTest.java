package io.homeport.geodns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PowerDnsGeoZoneTest {

    @Test
    void everyCountryIsANameHoldingItsEdgesAddressesAndTheServiceFallsBackToTheDefault() throws Exception {
        EdgeTable table = EdgeTableFile.load(Path.of("../deploy/geodns/edges.example.yaml"));
        String zone = PowerDnsGeoZone.zoneFile(table, InetAddress.getByName("192.0.2.53"), 7);
        assertThat(zone)
                .contains("      - soa: ns1.example.com hostmaster.example.com 7 7200 3600 1209600 60\n")
                .contains("    ns1.example.com:\n      - a: 192.0.2.53\n")
                .contains("    cn.countries.example.com:\n      - a: 203.0.113.10\n      - aaaa: 2001:db8:10:0:0:0:0:1\n")
                .contains("    in.countries.example.com:\n      - a: 198.51.100.20\n")
                .contains("    default.countries.example.com:\n      - a: 192.0.2.30\n")
                .contains("    api.example.com: ['%cc.countries.example.com', 'default.countries.example.com']\n")
                .doesNotContain("br.countries");
        assertThat(PowerDnsGeoZone.backendSettings(Path.of("/var/lib/GeoIP/c.mmdb"), Path.of("/etc/powerdns/geo-zones.yaml")))
                .contains("launch=geoip\n", "geoip-database-files=mmdb:/var/lib/GeoIP/c.mmdb\n", "edns-subnet-processing=yes\n");
    }
}
