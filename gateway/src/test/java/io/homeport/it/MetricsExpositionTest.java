package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a Prometheus user expects of {@code /metrics}: the exposition passes the real {@code promtool
 * check metrics}; build, reload, GeoIP-age, traffic and endpoint-health series exist and move with
 * what happens; HEAD answers like GET without the body.
 */
class MetricsExpositionTest {

    @TempDir
    java.nio.file.Path dir;

    private static String scrape(TestGateway gateway) throws Exception {
        HttpResponse<String> response = gateway.client.send(HttpRequest.newBuilder(gateway.admin("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static double value(String exposition, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        assertThat(matcher.find()).as("series %s in\n%s", series, exposition).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    private static int reload(TestGateway gateway) throws Exception {
        return gateway.client.send(HttpRequest.newBuilder(gateway.admin("/reload")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void theExpositionPassesPromtoolAndCarriesWhatAnOperatorWatches() throws Exception {
        try (TestGateway gateway = new TestGateway(dir)) {
            for (String client : new String[] {"1.2.4.8", "165.21.83.88", "8.8.8.8"}) {
                assertThat(gateway.get("/", client).statusCode()).isEqualTo(200);
            }
            String metrics = scrape(gateway);

            OperatorTool.Result check = OperatorTool.PROMTOOL.run(metrics, "check", "metrics");
            assertThat(check.output()).as("promtool check metrics").isEmpty();
            assertThat(check.exitCode()).isZero();

            assertThat(metrics).containsPattern("homeport_build_info\\{java_version=\"[^\"]+\",revision=\"[^\"]+\",version=\"[^\"]+\"} 1");
            assertThat(value(metrics, "homeport_config_last_reload_successful")).isEqualTo(1.0);
            double loadedAt = value(metrics, "homeport_config_last_reload_success_timestamp_seconds");
            assertThat(loadedAt).isGreaterThan(System.currentTimeMillis() / 1000.0 - 600);
            assertThat(value(metrics, "homeport_geoip_database_build_timestamp_seconds"))
                    .isEqualTo(gateway.homeport.config().current().database().buildTime().getEpochSecond(), org.assertj.core.data.Offset.offset(1.0));
            for (String region : new String[] {"beijing", "singapore", "us"}) {
                assertThat(metrics).contains("homeport_upstream_response_duration_seconds_count{region=\"" + region + "\"} 1");
                assertThat(metrics).containsPattern("homeport_upstream_endpoint_up\\{endpoint=\"[^\"]+\",region=\"" + region + "\"} 1.0");
            }
            // The last request is counted out just after its answer is sent: wait for it.
            String settled = metrics;
            for (long deadline = System.nanoTime() + 5_000_000_000L;
                    value(settled, "homeport_requests_in_flight") != 0 && System.nanoTime() < deadline; ) {
                Thread.sleep(10);
                settled = scrape(gateway);
            }
            assertThat(value(settled, "homeport_requests_in_flight")).isZero();
            assertThat(metrics).containsPattern("(?m)^homeport_client_connections \\d");
            assertThat(metrics).containsPattern("(?m)^process_cpu_seconds_total \\d").containsPattern("(?m)^system_cpus \\d")
                    .doesNotContain("process_cpu_time_ns_total").doesNotContain("system_cpu_count");

            // A refused reload turns the gauge to 0 (the previous rules keep serving); a good one back to 1.
            String goodRules = Files.readString(gateway.rules);
            Files.writeString(gateway.rules, goodRules.replace("default_region: us", "default_region: mars"));
            assertThat(reload(gateway)).isEqualTo(422);
            assertThat(value(scrape(gateway), "homeport_config_last_reload_successful")).isEqualTo(0.0);
            gateway.writeRules(30);
            assertThat(reload(gateway)).isEqualTo(200);
            String reloaded = scrape(gateway);
            assertThat(value(reloaded, "homeport_config_last_reload_successful")).isEqualTo(1.0);
            assertThat(value(reloaded, "homeport_config_last_reload_success_timestamp_seconds")).isGreaterThanOrEqualTo(loadedAt);

            // An endpoint ejected after consecutive connect failures reads 0.
            gateway.beijing.close();
            for (int i = 0; i < 3; i++) {
                assertThat(gateway.get("/", "1.2.4.8").statusCode()).isEqualTo(503);
            }
            assertThat(scrape(gateway)).containsPattern("homeport_upstream_endpoint_up\\{endpoint=\"[^\"]+\",region=\"beijing\"} 0.0");
        }
    }

    @Test
    void headOfAnAdminEndpointHasGetsHeadersAndNoBody() throws Exception {
        try (TestGateway gateway = new TestGateway(dir)) {
            HttpResponse<String> head = gateway.client.send(HttpRequest.newBuilder(gateway.admin("/metrics"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            assertThat(head.headers().firstValueAsLong("Content-Length").orElse(0)).isGreaterThan(1000);
            HttpResponse<String> healthz = gateway.client.send(HttpRequest.newBuilder(gateway.admin("/healthz"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(healthz.statusCode()).isEqualTo(200);
            assertThat(healthz.body()).isEmpty();
            // Other methods are still refused with the one allowed.
            HttpResponse<String> delete = gateway.client.send(HttpRequest.newBuilder(gateway.admin("/metrics"))
                    .method("DELETE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(delete.statusCode()).isEqualTo(405);
        }
    }
}
