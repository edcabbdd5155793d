package io.homeport.admin;

import static io.homeport.reload.ReloadFixtures.RULES_FAILING_TEST;
import static io.homeport.reload.ReloadFixtures.RULES_WITH_MALAYSIA;
import static io.homeport.reload.ReloadFixtures.servingConfig;
import static io.homeport.reload.ReloadFixtures.writeRules;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.homeport.canary.TrafficSample;
import io.homeport.metrics.GatewayMetrics;
import io.homeport.proxy.ClientAddressResolver;
import io.homeport.proxy.ExchangeListener;
import io.homeport.reload.ConfigReloader;
import io.homeport.reload.ServingConfig;
import io.homeport.reload.SnapshotHolder;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each admin endpoint through {@link AdminHandler} on an {@link EmbeddedChannel}, with a real configuration. */
class AdminHandlerTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    SnapshotHolder holder;
    GatewayMetrics metrics;
    ConfigReloader reloader;
    Readiness readiness;
    EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        ServingConfig config = servingConfig(dir);
        holder = new SnapshotHolder(config);
        metrics = new GatewayMetrics();
        reloader = new ConfigReloader(dir.resolve("rules.yaml"), dir.resolve("geoip.mmdb"), 1000, holder, metrics);
        readiness = new Readiness();
        channel = new EmbeddedChannel(new AdminHandler(new AdminEndpoints(holder, metrics, reloader, readiness,
                new TrafficSample(ExchangeListener.NONE), new ClientAddressResolver(List.of()))));
    }

    @AfterEach
    void tearDown() {
        reloader.close();
        channel.finishAndReleaseAll();
    }

    /** A response, copied out and released (leak detection is paranoid). */
    record Answer(int status, HttpHeaders headers, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private Answer send(HttpMethod method, String uri) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
        return readAnswer();
    }

    private Answer readAnswer() {
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).as("a response").isNotNull();
        try {
            return new Answer(response.status().code(), response.headers().copy(), response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    @Test
    void healthz() throws IOException {
        Answer answer = send(HttpMethod.GET, "/healthz");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json; charset=utf-8");
        assertThat(answer.json().get("status").asText()).isEqualTo("ok");
    }

    @Test
    void readyzFollowsReadiness() throws IOException {
        Answer starting = send(HttpMethod.GET, "/readyz");
        assertThat(starting.status()).isEqualTo(503);
        assertThat(starting.json().get("status").asText()).isEqualTo("starting");

        readiness.markReady();
        assertThat(send(HttpMethod.GET, "/readyz").status()).isEqualTo(200);

        readiness.markDraining();
        Answer draining = send(HttpMethod.GET, "/readyz");
        assertThat(draining.status()).isEqualTo(503);
        assertThat(draining.json().get("status").asText()).isEqualTo("draining");
    }

    @Test
    void metricsInPrometheusText() {
        Answer answer = send(HttpMethod.GET, "/metrics");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(answer.body()).contains("homeport_decisions_total{reason=\"country\"}");
    }

    @Test
    void explainAnswersTheDecisionAsJson() throws IOException {
        Answer answer = send(HttpMethod.GET, "/explain?ip=1.2.4.8&user=u-1&host=api.example.com&path=/v1/x%20y");
        assertThat(answer.status()).isEqualTo(200);
        JsonNode json = answer.json();
        assertThat(json.get("client_ip").asText()).isEqualTo("1.2.4.8");
        assertThat(json.get("country").asText()).isEqualTo("CN");
        assertThat(json.get("reason").asText()).isEqualTo("country");
        assertThat(json.get("region").asText()).isEqualTo("beijing");
        assertThat(json.get("user").asText()).isEqualTo("u-1");
        assertThat(json.get("path").asText()).isEqualTo("/v1/x y");
    }

    @Test
    void explainOfAnIpv6Address() throws IOException {
        JsonNode json = send(HttpMethod.GET, "/explain?ip=2400:da00::6666").json();
        assertThat(json.get("country").asText()).isEqualTo("CN");
    }

    @Test
    void explainWithoutIpIsABadRequest() throws IOException {
        Answer answer = send(HttpMethod.GET, "/explain?user=u-1");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().get("error").asText()).startsWith("give ip or peer");
        assertThat(answer.json().get("request_id").isNull()).isTrue();
        assertThat(send(HttpMethod.GET, "/explain?ip=1.2.4.8&peer=10.0.0.1").status()).isEqualTo(400);
        assertThat(send(HttpMethod.GET, "/explain?peer=nope").json().get("error").asText()).startsWith("peer: \"nope\"");
    }

    @Test
    void explainWithAHostNameIsABadRequest() throws IOException {
        Answer answer = send(HttpMethod.GET, "/explain?ip=example.com");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().get("error").asText()).isEqualTo("ip: \"example.com\" (expected: an IPv4 or IPv6 address)");
    }

    @Test
    void configShowsTheActiveRulesAndDatabase() throws IOException {
        ServingConfig config = holder.current();
        JsonNode json = send(HttpMethod.GET, "/config").json();

        JsonNode rules = json.get("rules");
        assertThat(rules.get("file").asText()).isEqualTo(dir.resolve("rules.yaml").toString());
        assertThat(rules.get("sha256").asText()).isEqualTo(config.snapshot().rules().source().sha256());
        assertThat(rules.get("loaded_at").asText()).isEqualTo(config.snapshot().rules().source().loadedAt().toString());
        JsonNode geoip = json.get("geoip");
        assertThat(geoip.get("path").asText()).isEqualTo(dir.resolve("geoip.mmdb").toString());
        assertThat(geoip.get("type").asText()).isEqualTo("GeoLite2-Country");
        assertThat(geoip.get("kind").asText()).isEqualTo("geoip2_country");
        assertThat(geoip.get("build_date").asText()).matches("\\d{4}-\\d{2}-\\d{2}");
        assertThat(geoip.get("cache").get("max_entries").asLong()).isEqualTo(1000);
    }

    @Test
    void reloadAnswersWhatChanged() throws IOException {
        writeRules(dir.resolve("rules.yaml"), RULES_WITH_MALAYSIA);

        Answer answer = postReload();

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("success").asBoolean()).isTrue();
        assertThat(answer.json().get("changes").get(0).asText()).startsWith("rules: regions 3, countries 3 (MY (default) -> singapore)").contains("; sha256 ");
        assertThat(channel.config().isAutoRead()).as("reads resume after the answer").isTrue();
    }

    @Test
    void reloadAnswers422WithEveryError() throws IOException {
        Path rules = writeRules(dir.resolve("rules.yaml"), RULES_FAILING_TEST);
        ServingConfig before = holder.current();

        Answer answer = postReload();

        assertThat(answer.status()).isEqualTo(422);
        JsonNode json = answer.json();
        assertThat(json.get("success").asBoolean()).isFalse();
        assertThat(json.get("error").asText()).contains("previous configuration keeps serving");
        assertThat(json.get("errors").get(0).asText()).startsWith(rules + ":15:5: test failed");
        assertThat(holder.current()).isSameAs(before);
    }

    @Test
    void unknownPathIs404() throws IOException {
        Answer answer = send(HttpMethod.GET, "/nope");
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().get("error").asText()).startsWith("no admin endpoint /nope");
    }

    @Test
    void wrongMethodIs405WithAllow() throws IOException {
        Answer post = send(HttpMethod.POST, "/healthz");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET");
        assertThat(post.json().get("error").asText()).isEqualTo("method POST not allowed on /healthz (expected: GET)");

        Answer get = send(HttpMethod.GET, "/reload");
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("POST");
    }

    @Test
    void aMalformedRequestIsRefusedAndTheConnectionClosed() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad");
        request.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("invalid header")));
        channel.writeInbound(request);

        assertThat(readAnswer().status()).isEqualTo(400);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterTheAnswer() {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/healthz"));

        assertThat(readAnswer().status()).isEqualTo(200);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    /**
     * The answer comes from the reload thread through the channel's executor. A second reload on
     * the same single thread is a barrier: when it is done, the first one's answer has been handed
     * to the embedded event loop, which this thread then runs.
     */
    private Answer postReload() {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/reload"));
        reloader.reloadAsync("barrier").join();
        channel.runPendingTasks();
        return readAnswer();
    }
}
