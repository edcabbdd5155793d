package io.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.homeport.geoip.GeoIpFixtures;
import io.homeport.residency.MigrationBucket;
import io.homeport.routing.IpAddresses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExplainCommandTest {

    private static final Path DEMO = GeoIpFixtures.EXAMPLES.resolve("demo.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** India's migration in demo.yaml moves buckets below 2500 (25%). */
    private static final int INDIA_BASIS_POINTS = 2500;

    @TempDir
    Path dir;

    /** "fixture": the GeoLite2 test database; "world": the real one (skipped when absent). */
    private static Path database(String which) {
        return which.equals("world") ? GeoIpFixtures.worldDb() : GeoIpFixtures.GEOLITE2_COUNTRY;
    }

    private static CommandRun explain(Path db, String... args) {
        List<String> all = new ArrayList<>(List.of("explain", "--rules", DEMO.toString(), "--geoip", db.toString()));
        all.addAll(List.of(args));
        return CommandRun.of(all.toArray(String[]::new));
    }

    private static JsonNode explainJson(Path db, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--json");
        CommandRun run = explain(db, all.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode json = JSON.readTree(run.out());
        assertThat(json.isObject()).isTrue();
        assertThat(json.has("client_ip") && json.has("country") && json.has("reason") && json.has("region"))
                .as(run.out()).isTrue();
        return json;
    }

    private static void assertText(CommandRun run, String region, String reason, String country) {
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).as(run.toString())
                .contains("region:  " + region + "\n")
                .contains("reason:  " + reason)
                .contains("country: " + country + "\n")
                .contains("steps:\n  1. client address ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixture", "world"})
    void chineseClientGoesToBeijingByCountry(String which) throws IOException {
        Path db = database(which);
        assertText(explain(db, "--ip", "1.2.4.8"), "beijing", "country", "CN");

        JsonNode json = explainJson(db, "--ip", "1.2.4.8");
        assertThat(json.get("client_ip").asText()).isEqualTo("1.2.4.8");
        assertThat(json.get("country").asText()).isEqualTo("CN");
        assertThat(json.get("reason").asText()).isEqualTo("country");
        assertThat(json.get("region").asText()).isEqualTo("beijing");
        assertThat(json.get("country_source").asText()).contains(db.toString());
        assertThat(json.get("network").asText()).contains("/");
        assertThat(json.get("candidate_regions")).hasSize(1); // beijing never fails over
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixture", "world"})
    void chineseIpv6ClientGoesToBeijing(String which) throws IOException {
        JsonNode json = explainJson(database(which), "--ip", "2400:da00:0:0:0:0:0:6666");
        assertThat(json.get("client_ip").asText()).isEqualTo("2400:da00::6666");
        assertThat(json.get("country").asText()).isEqualTo("CN");
        assertThat(json.get("region").asText()).isEqualTo("beijing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixture", "world"})
    void singaporeanClientGoesToSingaporeByCountry(String which) throws IOException {
        Path db = database(which);
        assertText(explain(db, "--ip", "165.21.83.88"), "singapore", "country", "SG");

        JsonNode json = explainJson(db, "--ip", "165.21.83.88");
        assertThat(json.get("country").asText()).isEqualTo("SG");
        assertThat(json.get("reason").asText()).isEqualTo("country");
        assertThat(json.get("region").asText()).isEqualTo("singapore");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixture", "world"})
    void indianUserInsideTheMigrationGoesToSingapore(String which) throws IOException {
        Path db = database(which);
        assertThat(MigrationBucket.of("in-user-4")).isLessThan(INDIA_BASIS_POINTS);

        CommandRun text = explain(db, "--ip", "202.54.1.30", "--user", "in-user-4");
        assertText(text, "singapore", "migration (india-phase-1)", "IN");
        assertThat(text.out()).contains("bucket is " + MigrationBucket.of("in-user-4") + " (from the user id): moved");

        JsonNode json = explainJson(db, "--ip", "202.54.1.30", "--user", "in-user-4");
        assertThat(json.get("country").asText()).isEqualTo("IN");
        assertThat(json.get("reason").asText()).isEqualTo("migration");
        assertThat(json.get("migration").asText()).isEqualTo("india-phase-1");
        assertThat(json.get("region").asText()).isEqualTo("singapore");
        assertThat(json.get("user").asText()).isEqualTo("in-user-4");
        assertThat(json.get("bucket").asInt()).isEqualTo(MigrationBucket.of("in-user-4"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixture", "world"})
    void anonymousIndianClientIsBucketedByItsAddress(String which) throws IOException {
        int bucket = MigrationBucket.of(IpAddresses.parseLiteral("202.54.1.30").orElseThrow());
        boolean moved = bucket < INDIA_BASIS_POINTS;

        JsonNode json = explainJson(database(which), "--ip", "202.54.1.30");

        assertThat(json.get("country").asText()).isEqualTo("IN");
        assertThat(json.get("bucket").asInt()).isEqualTo(bucket);
        // IN is not in demo.yaml's countries: outside the migration it falls to the default region.
        assertThat(json.get("reason").asText()).isEqualTo(moved ? "migration" : "default");
        assertThat(json.get("region").asText()).isEqualTo(moved ? "singapore" : "us");
        assertThat(json.get("steps").toString()).contains("(from the client address)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixture", "world"})
    void americanClientGoesToTheDefaultRegion(String which) throws IOException {
        Path db = database(which);
        assertText(explain(db, "--ip", "8.8.8.8"), "us", "default", "US");

        JsonNode json = explainJson(db, "--ip", "8.8.8.8");
        assertThat(json.get("country").asText()).isEqualTo("US");
        assertThat(json.get("reason").asText()).isEqualTo("default");
        assertThat(json.get("region").asText()).isEqualTo("us");
        assertThat(json.get("bucket").isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixture", "world"})
    void pinnedUserGoesToTheirPinnedRegion(String which) throws IOException {
        Path db = database(which);
        CommandRun text = explain(db, "--ip", "8.8.8.8", "--user", "u-1001");
        assertText(text, "singapore", "pin", "US");
        assertThat(text.out()).contains("user u-1001 is pinned to singapore in demo-users.csv");

        JsonNode json = explainJson(db, "--ip", "1.2.4.8", "--user", "u-1001");
        assertThat(json.get("country").asText()).isEqualTo("CN");
        assertThat(json.get("reason").asText()).isEqualTo("pin");
        assertThat(json.get("region").asText()).isEqualTo("singapore");
    }

    @Test
    void privateAddressHasNoCountry() throws IOException {
        CommandRun text = explain(GeoIpFixtures.GEOLITE2_COUNTRY, "--ip", "10.0.0.1");
        assertText(text, "us", "default", "unknown");

        JsonNode json = explainJson(GeoIpFixtures.GEOLITE2_COUNTRY, "--ip", "10.0.0.1");
        assertThat(json.get("client_ip").asText()).isEqualTo("10.0.0.1");
        assertThat(json.has("country")).isTrue();
        assertThat(json.get("country").isNull()).isTrue();
        assertThat(json.get("reason").asText()).isEqualTo("default");
        assertThat(json.get("region").asText()).isEqualTo("us");
        assertThat(json.get("geo_outcome").asText()).isEqualTo("non_public");
    }

    @Test
    void hostAndPathChooseTheRoute() throws IOException {
        JsonNode json = explainJson(GeoIpFixtures.GEOLITE2_COUNTRY, "--ip", "1.2.4.8", "--host", "api.example.com",
                "--path", "/api/orders");
        assertThat(json.get("route").asText()).isEqualTo("api");
        assertThat(json.get("host").asText()).isEqualTo("api.example.com");
        assertThat(json.get("path").asText()).isEqualTo("/api/orders");
    }

    @Test
    void withoutGeoIpTheBundledDemoDatabaseIsUsed() throws IOException {
        CommandRun run = CommandRun.of("explain", "--rules", DEMO.toString(), "--ip", "1.2.4.8", "--json");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).contains("using the bundled demo GeoIP database");
        JsonNode json = JSON.readTree(run.out());
        assertThat(json.get("region").asText()).isEqualTo("beijing");
        assertThat(json.get("country_source").asText()).startsWith("Homeport-Demo-Country");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bogus", "1.2.3", "1.2.3.256", "01.2.3.4", "example.com", "fe80::1%eth0", ""})
    void invalidIpIsBadInput(String ip) {
        CommandRun run = explain(GeoIpFixtures.GEOLITE2_COUNTRY, "--ip", ip);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("--ip " + ip + " is not an IPv4 or IPv6 address");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void badGeoIpDatabaseIsBadInput() {
        CommandRun run = explain(GeoIpFixtures.TRUNCATED, "--ip", "1.2.4.8");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).startsWith("homeport explain: GeoIP database refused: " + GeoIpFixtures.TRUNCATED + ": ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void invalidRulesAreBadInput() throws IOException {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), "version: 1\nregion: {}\n");

        CommandRun run = CommandRun.of("explain", "--rules", rules.toString(), "--geoip",
                GeoIpFixtures.GEOLITE2_COUNTRY.toString(), "--ip", "1.2.4.8");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.errLines()).contains(rules + ":2:1: unknown key \"region\" in rules (did you mean \"regions\"?)");
    }

    @Test
    void missingIpOrSourceIsAUsageError() {
        assertThat(CommandRun.of("explain", "--rules", DEMO.toString()).exitCode()).isEqualTo(2);
        assertThat(CommandRun.of("explain", "--ip", "1.2.4.8").exitCode()).isEqualTo(2);
        assertThat(CommandRun.of("explain", "--ip", "1.2.4.8", "--rules", DEMO.toString(), "--config", "gateway.yaml")
                .exitCode()).isEqualTo(2);
    }

    /** demo.yaml and its users CSV copied next to a gateway.yaml that names them by relative paths. */
    private Path gatewayYaml() throws IOException {
        Files.copy(DEMO, dir.resolve("demo.yaml"));
        Files.copy(GeoIpFixtures.EXAMPLES.resolve("demo-users.csv"), dir.resolve("demo-users.csv"));
        Files.createDirectories(dir.resolve("geoip"));
        Files.copy(GeoIpFixtures.GEOLITE2_COUNTRY, dir.resolve("geoip/GeoLite2-Country-Test.mmdb"));
        return Files.writeString(dir.resolve("gateway.yaml"), """
                listen: 127.0.0.1:0
                rules: demo.yaml
                geoip:
                  database: geoip/GeoLite2-Country-Test.mmdb
                """);
    }

    @Test
    void configTakesRulesAndDatabaseFromTheDeploymentFile() throws IOException {
        Path config = gatewayYaml();

        CommandRun run = CommandRun.of("explain", "--config", config.toString(), "--ip", "1.2.4.8", "--json");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode json = JSON.readTree(run.out());
        assertThat(json.get("country").asText()).isEqualTo("CN");
        assertThat(json.get("reason").asText()).isEqualTo("country");
        assertThat(json.get("region").asText()).isEqualTo("beijing");
        assertThat(json.get("country_source").asText())
                .startsWith("GeoLite2-Country")
                .contains(dir.resolve("geoip/GeoLite2-Country-Test.mmdb").toAbsolutePath().normalize().toString());

        CommandRun pinned = CommandRun.of("explain", "--config", config.toString(), "--ip", "1.2.4.8", "--user", "u-1001");
        assertText(pinned, "singapore", "pin", "CN");
    }

    @Test
    void invalidConfigIsBadInputWithPositions() throws IOException {
        gatewayYaml();
        Path config = Files.writeString(dir.resolve("gateway.yaml"), """
                rules: demo.yaml
                geoip:
                  databse: geoip/GeoLite2-Country-Test.mmdb
                """);

        CommandRun run = CommandRun.of("explain", "--config", config.toString(), "--ip", "1.2.4.8");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.errLines()).contains(
                config + ":3:3: unknown key \"databse\" in geoip (did you mean \"database\"?)");
        assertThat(run.out()).isEmpty();
    }
}
