package io.homeport.it;

import io.homeport.config.Cidr;
import io.homeport.config.GatewayConfig;
import io.homeport.config.HostAndPort;
import io.homeport.proxy.ProxySettings;
import io.homeport.server.Homeport;
import io.homeport.upstream.HealthSettings;
import io.homeport.upstream.UpstreamTimeouts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The whole gateway on ephemeral loopback ports, in front of three real backends (beijing,
 * singapore, us), with rules written for them and a generated GeoIP fixture. Loopback is a
 * trusted proxy, so tests choose the client address with X-Forwarded-For.
 */
final class TestGateway implements AutoCloseable {

    static final Path FIXTURE_DB = Path.of("src/test/resources/geoip/GeoLite2-Country-Test.mmdb");

    final TestBackend beijing;
    final TestBackend singapore;
    final TestBackend us;
    final Path directory;
    final Path rules;
    final Homeport homeport;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    TestGateway(Path directory) throws Exception {
        this(directory, UpstreamTimeouts.DEFAULTS, ProxySettings.DEFAULTS);
    }

    TestGateway(Path directory, UpstreamTimeouts timeouts, ProxySettings settings) throws Exception {
        this(directory, timeouts, settings, HealthSettings.DEFAULTS);
    }

    TestGateway(Path directory, UpstreamTimeouts timeouts, ProxySettings settings, HealthSettings health) throws Exception {
        LeakCheck.install();
        this.directory = directory;
        this.beijing = new TestBackend("beijing");
        this.singapore = new TestBackend("singapore");
        this.us = new TestBackend("us");
        Files.writeString(directory.resolve("users.csv"), "user_id,region\nu-pinned-sg,singapore\nu-pinned-cn,beijing\n");
        this.rules = directory.resolve("rules.yaml");
        writeRules(25);
        Path db = directory.resolve("geoip.mmdb");
        Files.copy(FIXTURE_DB, db, StandardCopyOption.REPLACE_EXISTING);
        this.homeport = Homeport.start(new Homeport.Options(
                List.of(new GatewayConfig.Listener(new HostAndPort("127.0.0.1", 0), Optional.empty(), false)),
                new HostAndPort("127.0.0.1", 0),
                rules,
                db,
                1000,
                List.of(Cidr.parse("127.0.0.0/8").orElseThrow()),
                settings,
                timeouts,
                health,
                OutputStream.nullOutputStream(),
                Duration.ofMillis(200),
                2));
    }

    /** Writes the rules file, with India's migration at {@code indiaPercent}. */
    void writeRules(int indiaPercent) throws IOException {
        writeRules(indiaPercent, "us");
    }

    void writeRules(int indiaPercent, String defaultRegion) throws IOException {
        String yaml = """
                version: 1
                regions:
                  beijing: {endpoints: ["%s"], fail_over_to: []}
                  singapore: {endpoints: ["%s"], fail_over_to: [us]}
                  us: {endpoints: ["%s"], fail_over_to: [singapore]}
                residency:
                  default_region: %s
                  countries: {CN: beijing, SG: singapore, MY: singapore}
                  migrations:
                    - {name: india, countries: [IN], to: singapore, percent: %d}
                  users: {file: users.csv, identity: {header: X-User-Id}}
                routes:
                  - {name: api, path_prefix: /api/}
                """.formatted(beijing.endpoint(), singapore.endpoint(), us.endpoint(), defaultRegion, indiaPercent);
        Path temporary = directory.resolve("rules.yaml.tmp");
        Files.writeString(temporary, yaml);
        Files.move(temporary, directory.resolve("rules.yaml"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + homeport.proxyAddresses().get(0).getPort() + path);
    }

    URI admin(String path) {
        return URI.create("http://127.0.0.1:" + homeport.adminAddress().getPort() + path);
    }

    HttpResponse<String> get(String path, String clientIp, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
        if (clientIp != null) {
            request.header("X-Forwarded-For", clientIp);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        homeport.close();
        beijing.close();
        singapore.close();
        us.close();
    }
}
