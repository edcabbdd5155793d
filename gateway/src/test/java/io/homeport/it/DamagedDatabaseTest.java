package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.cli.CommandRun;
import io.homeport.geoip.DamagedDatabases;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.reload.ConfigReloader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of damaged database is refused by validate, by start-up and by reload, with a message
 * naming the file and the place; during the reloads the old database keeps serving and no request
 * changes region.
 */
class DamagedDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void validateAndStartUpRefuseEveryDamagedDatabase() throws Exception {
        Map<String, DamagedDatabases.Damaged> damaged = DamagedDatabases.of(TestGateway.FIXTURE_DB);
        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                version: 1
                regions:
                  beijing: {endpoints: ["http://127.0.0.1:9"], fail_over_to: []}
                residency: {default_region: beijing}
                """);
        for (Map.Entry<String, DamagedDatabases.Damaged> entry : damaged.entrySet()) {
            Path file = Files.write(dir.resolve("GeoLite2-Country.mmdb"), entry.getValue().bytes());
            CommandRun validate = CommandRun.of("validate", "--geoip", file.toString(), rules.toString());
            assertThat(validate.exitCode()).as(entry.getKey()).isEqualTo(1);
            assertThat(validate.err()).as(entry.getKey()).contains(file + ": ").contains(entry.getValue().place())
                    .doesNotContain(": null");
            assertThatThrownBy(() -> ConfigReloader.load(rules, file, 100)).as(entry.getKey())
                    .isInstanceOf(InvalidGeoIpDatabaseException.class)
                    .hasMessageStartingWith(file + ": ").hasMessageContaining(entry.getValue().place());
        }
    }

    @Test
    void reloadRefusesEveryDamagedDatabaseAndTheOldOneKeepsServing() throws Exception {
        try (TestGateway gateway = new TestGateway(dir)) {
            Path served = dir.resolve("geoip.mmdb");
            for (Map.Entry<String, DamagedDatabases.Damaged> entry : DamagedDatabases.of(TestGateway.FIXTURE_DB).entrySet()) {
                Path temporary = Files.write(dir.resolve("geoip.mmdb.tmp"), entry.getValue().bytes());
                Files.move(temporary, served, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                HttpResponse<String> reload = gateway.client.send(HttpRequest.newBuilder(gateway.admin("/reload"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(reload.statusCode()).as(entry.getKey()).isEqualTo(422);
                assertThat(reload.body()).as(entry.getKey()).contains(served + ": ").contains(entry.getValue().place())
                        .contains("(file refused; the previous database keeps serving)").contains("\"changed\" : false");

                assertThat(gateway.get("/", "1.2.4.8").body()).as(entry.getKey()).contains("\"region\":\"beijing\"");
                assertThat(gateway.get("/", "165.21.83.88").body()).as(entry.getKey()).contains("\"region\":\"singapore\"");
                assertThat(gateway.get("/api/x", "8.8.8.8").body()).as(entry.getKey()).contains("\"region\":\"us\"");
            }
            assertThat(gateway.homeport.config().current().database().buildTime().getEpochSecond()).isEqualTo(1_781_740_800L);
            assertThat(gateway.homeport.metrics().residencyViolations()).isZero();
            String metrics = gateway.homeport.metrics().scrape();
            java.util.regex.Matcher failures = java.util.regex.Pattern
                    .compile("homeport_config_reloads_total\\{kind=\"geoip\",result=\"failure\"} ([0-9.]+)").matcher(metrics);
            assertThat(failures.find()).isTrue();
            // Each POST /reload, plus any the file watch started on its own.
            assertThat(Double.parseDouble(failures.group(1))).isGreaterThanOrEqualTo(6.0);
            assertThat(metrics).contains("homeport_decisions_total{reason=\"lookup_error\"} 0.0");
        }
    }
}
