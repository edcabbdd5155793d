package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.homeport.cli.CommandRun;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live {@code GET /explain} answers exactly as {@code homeport explain --json}, even for an address the proxy has cached. */
class ExplainParityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void liveExplainEqualsTheCommandLineForCachedAndUncachedAddresses() throws Exception {
        try (TestGateway gateway = new TestGateway(dir)) {
            assertThat(gateway.get("/", "1.2.4.8").statusCode()).isEqualTo(200); // now in the GeoIP cache, without its network
            for (String query : new String[] {"ip=1.2.4.8", "ip=202.54.1.30&user=u-1", "ip=2400:da00::6666",
                    "ip=165.21.83.88&user=u-pinned-cn", "ip=10.0.0.1"}) {
                HttpResponse<String> live = gateway.client.send(HttpRequest.newBuilder(gateway.admin("/explain?" + query)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(live.statusCode()).isEqualTo(200);
                String[] parts = query.split("&");
                String ip = parts[0].substring(3);
                CommandRun cli = parts.length == 1
                        ? CommandRun.of("explain", "--rules", gateway.rules.toString(), "--geoip", dir.resolve("geoip.mmdb").toString(),
                                "--ip", ip, "--json")
                        : CommandRun.of("explain", "--rules", gateway.rules.toString(), "--geoip", dir.resolve("geoip.mmdb").toString(),
                                "--ip", ip, "--user", parts[1].substring(5), "--json");
                assertThat(cli.exitCode()).as(cli.toString()).isZero();
                JsonNode fromGateway = JSON.readTree(live.body());
                assertThat(fromGateway).as(query).isEqualTo(JSON.readTree(cli.out()));
                if (ip.equals("1.2.4.8")) {
                    assertThat(fromGateway.toString()).contains("1.2.4.0/");
                }
            }
            // Resolved from a peer and its headers, as the proxy would: loopback is the trusted proxy.
            HttpResponse<String> live = gateway.client.send(HttpRequest.newBuilder(
                    gateway.admin("/explain?peer=127.0.0.1&xff=8.8.8.8,%201.2.4.8")).build(), HttpResponse.BodyHandlers.ofString());
            CommandRun cli = CommandRun.of("explain", "--rules", gateway.rules.toString(), "--geoip",
                    dir.resolve("geoip.mmdb").toString(), "--peer", "127.0.0.1", "--x-forwarded-for", "8.8.8.8, 1.2.4.8",
                    "--trusted-proxies", "127.0.0.0/8", "--json");
            JsonNode resolved = JSON.readTree(live.body());
            assertThat(resolved).isEqualTo(JSON.readTree(cli.out()));
            assertThat(resolved.get("client_ip").asText()).isEqualTo("1.2.4.8");
            assertThat(resolved.get("client_ip_source").asText()).isEqualTo("x_forwarded_for");
            assertThat(resolved.get("client_ip_hop").asInt()).isZero();
            assertThat(resolved.get("region").asText()).isEqualTo("beijing");
            CommandRun untrusted = CommandRun.of("explain", "--rules", gateway.rules.toString(), "--geoip",
                    dir.resolve("geoip.mmdb").toString(), "--peer", "203.0.113.9", "--x-forwarded-for", "1.2.4.8");
            assertThat(untrusted.out()).contains("client:  203.0.113.9 from socket");

            // What every access-log line of this gateway says decided it.
            io.homeport.proxy.CompletedExchange.Audit audit = gateway.homeport.config().current().audit();
            assertThat(audit.rulesVersion()).hasSize(12)
                    .isEqualTo(gateway.homeport.config().current().snapshot().rules().source().sha256().substring(0, 12));
            assertThat(audit.geoipBuild()).isEqualTo(1_781_740_800L);
        }
    }
}
