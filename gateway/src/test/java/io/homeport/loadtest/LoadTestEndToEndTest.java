package io.homeport.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.homeport.config.GatewayConfig;
import io.homeport.demo.DemoBackend;
import io.homeport.demo.DemoGeoIp;
import io.homeport.net.Cidr;
import io.homeport.net.HostAndPort;
import io.homeport.netty.Transports;
import io.homeport.server.Homeport;
import io.netty.channel.EventLoopGroup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The load tester against the real gateway, in-process on loopback: three demo backends on
 * ephemeral ports, rules written for them (India migrating by user id, read from a header of the
 * rules' choosing), the bundled demo GeoIP database on both sides. Two seconds of load; every
 * request must reach the region the rules give.
 */
class LoadTestEndToEndTest {

    @TempDir
    Path directory;

    final Transports transports = Transports.best();
    EventLoopGroup backendLoop;
    final List<DemoBackend> backends = new ArrayList<>();
    Homeport homeport;

    @BeforeEach
    void startGateway() throws Exception {
        backendLoop = transports.newGroup(1, "test-backends");
        Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        for (String region : List.of("beijing", "singapore", "us")) {
            DemoBackend backend = new DemoBackend(region);
            backends.add(backend);
            ports.put(region, backend.start(new InetSocketAddress("127.0.0.1", 0), transports, backendLoop).getPort());
        }
        Files.writeString(directory.resolve("users.csv"), "user_id,region\nlt-1,singapore\n");
        Path rules = Files.writeString(directory.resolve("rules.yaml"), """
                version: 1
                regions:
                  beijing: {endpoints: ["http://127.0.0.1:%d"], fail_over_to: []}
                  singapore: {endpoints: ["http://127.0.0.1:%d"], fail_over_to: [us]}
                  us: {endpoints: ["http://127.0.0.1:%d"], fail_over_to: [singapore]}
                residency:
                  default_region: us
                  countries: {CN: beijing, SG: singapore, MY: singapore, ID: singapore}
                  migrations:
                    - {name: india, countries: [IN], to: singapore, percent: 25}
                  users: {file: users.csv, identity: {header: X-Account}}
                """.formatted(ports.get("beijing"), ports.get("singapore"), ports.get("us")));
        GatewayConfig config = GatewayConfig.of(rules, DemoGeoIp.file())
                .withListeners(List.of(new GatewayConfig.Listener(new HostAndPort("127.0.0.1", 0), Optional.empty(), false)))
                .withAdmin(new GatewayConfig.Admin(new HostAndPort("127.0.0.1", 0), Optional.empty()))
                .withGeoIp(new GatewayConfig.GeoIp(DemoGeoIp.file(), 10_000))
                .withClientIp(new GatewayConfig.ClientIp(List.of(Cidr.parse("127.0.0.0/8").orElseThrow())))
                .withWorkers(1)
                .withAccessLog(GatewayConfig.AccessLog.OFF);
        homeport = Homeport.start(Homeport.Options.forDemo(config, Duration.ofSeconds(5), null));
    }

    @AfterEach
    void stopGateway() {
        if (homeport != null) {
            homeport.close();
        }
        backends.forEach(DemoBackend::stop);
        backendLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    @Timeout(60)
    void everyMarketReachesItsExpectedRegionAndTheReportsAreWritten() throws Exception {
        Path json = directory.resolve("report.json");
        Path html = directory.resolve("report.html");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = LoadTestCommand.commandLine();
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));

        int exit = command.execute(
                "--url", "http://127.0.0.1:" + homeport.proxyAddresses().get(0).getPort() + "/api/orders",
                "--rules", directory.resolve("rules.yaml").toString(),
                "--geoip", "demo",
                "--mix", "CN=40,IN=20,ID=10,SG=5,MY=5,US=10,BR=10",
                "--rate", "250/s",
                "--duration", "2s",
                "--connections", "8",
                "--user-ids",
                "--clients-per-market", "200",
                "--threshold", "all:wrong_region<0.1%",
                "--threshold", "US:p99<0.001ms", // no answer comes back within a microsecond: fails the run
                "--json", json.toString(),
                "--html", html.toString());

        assertThat(exit).as("exit code; stderr:%n%s", err).isEqualTo(Threshold.EXIT_CODE);
        assertThat(out.toString()).contains("threshold all:wrong_region<0.1%: 0.000% — met")
                .containsPattern("threshold US:p99<0.001ms: [0-9.]+ ms — NOT met");
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        JsonNode total = report.get("total");
        assertThat(total.get("requests").asLong()).isEqualTo(500);
        assertThat(report.at("/priming/requests").asInt()).as("two a connection, in no figure").isEqualTo(16);
        assertThat(report.at("/model/kind").asText()).isEqualTo("open");
        assertThat(report.at("/mix/CN").asInt()).isEqualTo(40);
        assertThat(report.at("/thresholds")).hasSize(2);
        assertThat(report.at("/series/0/group").asText()).isEqualTo("all");
        long perSecond = 0;
        for (JsonNode second : report.at("/series/0/seconds")) {
            perSecond += second.get("requests").asLong();
        }
        assertThat(perSecond).as("the seconds add up to the run").isEqualTo(500);
        assertThat(report.at("/thresholds/1/met").asBoolean()).isFalse();
        assertThat(total.get("errors").get("total").asLong()).as(err.toString()).isZero();
        assertThat(total.get("expected_region_share").asDouble()).isEqualTo(1.0);
        assertThat(report.get("markets")).hasSize(7);
        for (JsonNode market : report.get("markets")) {
            assertThat(market.get("expected_region_share").asDouble()).as(market.get("name").asText()).isEqualTo(1.0);
        }
        JsonNode india = report.get("markets").get(1);
        assertThat(india.get("served_by").has("us")).isTrue();
        assertThat(india.get("served_by").has("singapore")).as("a quarter of India's users migrated").isTrue();
        assertThat(report.get("regions")).extracting(region -> region.get("name").asText())
                .containsExactly("beijing", "singapore", "us");

        assertThat(Files.readString(html)).contains("<svg ", "CN (", "100.00%").doesNotContain("<script");
        assertThat(out.toString()).contains("500 requests in", "routed as expected 100.00%");
        assertThat(err.toString()).contains("req/s", "p99");
    }
}
