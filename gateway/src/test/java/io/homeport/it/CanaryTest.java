package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.cli.CommandRun;
import io.homeport.geoip.MmdbWriter;
import io.homeport.reload.ReloadResult;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reload canary with traffic flowing: a GeoIP update that moves a market (China's networks now
 * say US) is refused with its report and the old database keeps serving; {@code ?force=true}
 * applies it; {@code homeport diff} shows the same numbers offline from the exported sample.
 */
class CanaryTest {

    static final Path NETWORKS = Path.of("geoip-fixtures/test-networks.tsv");

    @TempDir
    Path dir;

    private static HttpResponse<String> reload(TestGateway gateway, String query) throws Exception {
        return gateway.client.send(HttpRequest.newBuilder(gateway.admin("/reload" + query))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void traffic(TestGateway gateway, String clientIp, int requests) throws Exception {
        for (int i = 0; i < requests; i++) {
            assertThat(gateway.get("/", clientIp).statusCode()).isEqualTo(200);
        }
    }

    /** A request is sampled when it completes, just after its answer is sent: wait for the last one. */
    private static void awaitSampled(TestGateway gateway, long requests) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (gateway.homeport.trafficSample().entries().stream().mapToLong(e -> e.requests()).sum() < requests
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void aDatabaseThatMovesAMarketIsRefusedWithTheReportForceAppliesItAndDiffAgrees() throws Exception {
        try (TestGateway gateway = new TestGateway(dir)) {
            traffic(gateway, "1.2.4.8", 60);        // CN -> beijing
            traffic(gateway, "165.21.83.88", 60);   // SG -> singapore
            traffic(gateway, "8.8.8.8", 60);        // US -> us (default)
            awaitSampled(gateway, 180);

            HttpResponse<String> exported = gateway.client.send(HttpRequest.newBuilder(gateway.admin("/traffic-sample")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(exported.statusCode()).isEqualTo(200);
            assertThat(exported.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/tab-separated-values"));
            assertThat(exported.body()).contains("1.2.4.0/24\t60\t", "165.21.83.0/24\t60\t", "8.8.8.0/24\t60\t")
                    .doesNotContain("1.2.4.8");
            Path sample = Files.writeString(dir.resolve("sample.tsv"), exported.body());

            // The same networks, China's now labelled US: a weekly update that moves a market.
            Path moved = new MmdbWriter().addAll(NETWORKS, Map.of("CN", "US")).write(dir.resolve("moved.mmdb"));
            Path served = dir.resolve("geoip.mmdb");
            Path original = Files.copy(served, dir.resolve("original.mmdb"));
            Files.copy(moved, dir.resolve("geoip.mmdb.tmp"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(dir.resolve("geoip.mmdb.tmp"), served, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            HttpResponse<String> refused = reload(gateway, "");
            assertThat(refused.statusCode()).isEqualTo(422);
            assertThat(refused.body())
                    .contains("the new database changes the home region of 33.33% of 180 sampled requests (beijing -> us 60)")
                    .contains("more than reload.max_region_change (1.00%)")
                    .contains("POST /reload?force=true")
                    .contains("\"by_region\" : {\n      \"beijing -> us\" : 60")
                    .contains("\"CN -> US\" : 60")
                    .contains("1.2.4.0/24 (CN -> US): beijing -> us, 60 requests");
            assertThat(gateway.get("/", "1.2.4.8").body()).contains("\"region\":\"beijing\"");
            assertThat(gateway.homeport.metrics().scrape())
                    .containsPattern("homeport_config_reloads_total\\{kind=\"geoip\",result=\"failure\"} [1-9]")
                    .contains("homeport_reload_region_change_ratio 0.333");

            HttpResponse<String> forced = reload(gateway, "?force=true");
            assertThat(forced.statusCode()).isEqualTo(200);
            assertThat(forced.body()).contains("\"forced\" : true").contains("\"changed\" : true");
            assertThat(gateway.get("/", "1.2.4.8").body()).contains("\"region\":\"us\"");

            CommandRun diff = CommandRun.of("diff", "--rules", gateway.rules.toString(), gateway.rules.toString(),
                    "--geoip", original.toString(), moved.toString(), "--sample", sample.toString());
            assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(1);
            assertThat(diff.out()).contains("33.33% of 180 sampled requests change home region (beijing -> us 60)")
                    .contains("country CN -> US: 60 requests")
                    .contains("e.g. 1.2.4.0/24 (CN -> US): beijing -> us, 60 requests")
                    .contains("Networks whose country changes between the databases: 5 (66048 IPv4 addresses)")
                    .contains("CN -> US: 5 networks")
                    .contains("e.g. 1.2.4.0/24: CN -> US")
                    .contains("Changes: yes");

            CommandRun same = CommandRun.of("diff", "--rules", gateway.rules.toString(), gateway.rules.toString(),
                    "--geoip", original.toString(), "--sample", sample.toString());
            assertThat(same.exitCode()).as(same.toString()).isEqualTo(0);
            assertThat(same.out()).contains("0.00% of 180 sampled requests change home region").contains("Changes: none");
        }
    }

    @Test
    void aRulesChangeIsReportedNotRefused() throws Exception {
        try (TestGateway gateway = new TestGateway(dir)) {
            traffic(gateway, "1.2.4.8", 30);
            traffic(gateway, "8.8.8.8", 10);
            awaitSampled(gateway, 40);
            Files.writeString(gateway.rules, Files.readString(gateway.rules).replace("CN: beijing, ", ""));
            assertThat(reload(gateway, "").statusCode()).isEqualTo(200); // or the file watch was first
            ReloadResult applied = gateway.homeport.reloader().lastResult();
            assertThat(applied.changed()).isTrue();
            assertThat(applied.regionChange().movedRequests()).isEqualTo(30);
            assertThat(applied.regionChange().sampledRequests()).isEqualTo(40);
            assertThat(applied.regionChange().transitions()).containsExactly(Map.entry("beijing -> us", 30L));
            assertThat(applied.toJson()).contains("\"moved_requests\" : 30");
            assertThat(gateway.get("/", "1.2.4.8").body()).contains("\"region\":\"us\"");
        }
    }
}
