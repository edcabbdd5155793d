package io.homeport.admin;

import static io.homeport.reload.ReloadFixtures.RULES_SYNTAX_ERROR;
import static io.homeport.reload.ReloadFixtures.RULES_WITH_MALAYSIA;
import static io.homeport.reload.ReloadFixtures.servingConfig;
import static io.homeport.reload.ReloadFixtures.writeRules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.homeport.canary.TrafficSample;
import io.homeport.metrics.GatewayMetrics;
import io.homeport.net.HostAndPort;
import io.homeport.netty.Transports;
import io.homeport.proxy.ClientAddressResolver;
import io.homeport.proxy.ExchangeListener;
import io.homeport.reload.ConfigReloader;
import io.homeport.reload.ServingConfig;
import io.homeport.reload.SnapshotHolder;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener on a real socket (127.0.0.1, port 0), called with the JDK's HTTP client. */
class AdminServerTest {

    static final Transports TRANSPORTS = Transports.best();
    static final ObjectMapper JSON = new ObjectMapper();
    static EventLoopGroup group;

    @TempDir
    Path dir;

    SnapshotHolder holder;
    ConfigReloader reloader;
    Readiness readiness;
    AdminServer server;
    HttpClient client;
    URI base;

    @BeforeAll
    static void startGroup() {
        group = TRANSPORTS.newGroup(1, "admin");
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void startServer() throws IOException {
        holder = new SnapshotHolder(servingConfig(dir));
        GatewayMetrics metrics = new GatewayMetrics();
        reloader = new ConfigReloader(dir.resolve("rules.yaml"), dir.resolve("geoip.mmdb"), 1000, holder, metrics);
        readiness = new Readiness();
        server = new AdminServer(new HostAndPort("127.0.0.1", 0), Optional.empty(), TRANSPORTS, group, holder, metrics, reloader,
                readiness, new TrafficSample(ExchangeListener.NONE),
                new ClientAddressResolver(List.of()), io.homeport.proxy.PinPrefetch.NONE);
        InetSocketAddress bound = server.start();
        base = URI.create("http://127.0.0.1:" + bound.getPort());
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stopServer() {
        server.close();
        reloader.close();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    private HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bindsAnEphemeralPort() {
        assertThat(server.address().getPort()).isPositive();
        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void healthz() throws Exception {
        HttpResponse<String> response = get("/healthz");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("status").asText()).isEqualTo("ok");
    }

    @Test
    void readyzBeforeAndAfterMarkReady() throws Exception {
        assertThat(get("/readyz").statusCode()).isEqualTo(503);
        readiness.markReady();
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void metrics() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("homeport_decisions_total");
    }

    @Test
    void explain() throws Exception {
        HttpResponse<String> response = get("/explain?ip=1.2.4.8");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.get("country").asText()).isEqualTo("CN");
        assertThat(json.get("reason").asText()).isEqualTo("country");
        assertThat(json.get("region").asText()).isEqualTo("beijing");
    }

    @Test
    void reloadOfABrokenRulesFileIs422AndTheOldConfigKeepsServing() throws Exception {
        Path rules = writeRules(dir.resolve("rules.yaml"), RULES_SYNTAX_ERROR);
        ServingConfig before = holder.current();

        HttpResponse<String> response = post("/reload");

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode errors = JSON.readTree(response.body()).get("errors");
        assertThat(errors).isNotEmpty();
        errors.forEach(error -> assertThat(error.asText()).matches(Pattern.quote(rules.toString()) + ":\\d+:\\d+: .+"));
        assertThat(holder.current()).isSameAs(before);
        assertThat(get("/explain?ip=1.2.4.8").statusCode()).as("still serving").isEqualTo(200);
    }

    @Test
    void reloadOfAGoodRulesFileIs200() throws Exception {
        writeRules(dir.resolve("rules.yaml"), RULES_WITH_MALAYSIA);

        HttpResponse<String> response = post("/reload");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("changes").get(0).asText()).startsWith("rules: regions ").contains("; sha256 ");
        assertThat(JSON.readTree(get("/explain?ip=202.188.0.133").body()).get("region").asText()).isEqualTo("singapore");
    }

    @Test
    void closeStopsListening() {
        server.close();

        assertThatThrownBy(() -> get("/healthz")).isInstanceOf(IOException.class);
    }

    @Test
    void aTakenPortIsAnIOException() {
        AdminServer second = new AdminServer(new HostAndPort("127.0.0.1", server.address().getPort()), Optional.empty(),
                TRANSPORTS, group, holder, new GatewayMetrics(), reloader, readiness, new TrafficSample(ExchangeListener.NONE),
                new ClientAddressResolver(List.of()), io.homeport.proxy.PinPrefetch.NONE);

        assertThatThrownBy(second::start).isInstanceOf(IOException.class).hasMessageContaining("admin.listen 127.0.0.1:").hasMessageContaining(": cannot listen: address already in use");
    }
}
