package io.homeport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.metrics.GatewayMetrics;
import io.homeport.net.Cidr;
import io.homeport.netty.HeldWrites;
import io.homeport.netty.Transports;
import io.homeport.reload.ConfigReloader;
import io.homeport.reload.ServingConfig;
import io.homeport.reload.SnapshotHolder;
import io.homeport.rules.Endpoint;
import io.homeport.upstream.HealthSettings;
import io.homeport.upstream.RegionSelector;
import io.homeport.upstream.RetryBudget;
import io.homeport.upstream.UpstreamConnections;
import io.homeport.upstream.UpstreamHealth;
import io.homeport.upstream.UpstreamTimeouts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy handler in an EmbeddedChannel, for what needs no upstream socket: the decision, the
 * residency guard and the gateway's own answers. Relaying is covered by the real-socket tests.
 */
class ProxyHandlerTest {

    private static final HealthSettings SETTINGS = new HealthSettings(Optional.empty(), Duration.ofSeconds(1),
            Duration.ofSeconds(1), 1, 1, 3, Duration.ofMinutes(1));

    @TempDir
    Path directory;

    private GatewayMetrics metrics;
    private UpstreamHealth health;
    private ServingConfig config;
    private final List<CompletedExchange> completed = new ArrayList<>();

    @BeforeEach
    void load() throws Exception {
        Files.writeString(directory.resolve("rules.yaml"), """
                version: 1
                regions:
                  beijing: {endpoints: ["http://127.0.0.1:1"], fail_over_to: []}
                  us: {endpoints: ["http://127.0.0.1:2"], fail_over_to: [beijing]}
                residency:
                  default_region: us
                  countries: {CN: beijing}
                """);
        Files.copy(Path.of("src/test/resources/geoip/GeoLite2-Country-Test.mmdb"), directory.resolve("geoip.mmdb"));
        config = ConfigReloader.load(directory.resolve("rules.yaml"), directory.resolve("geoip.mmdb"), 100);
        metrics = new GatewayMetrics();
        health = new UpstreamHealth(SETTINGS);
    }

    @Test
    void anUntrustedPeerCannotEscapeItsResidencyWithXForwardedFor() {
        markDown(new Endpoint("http", "127.0.0.1", 1));
        EmbeddedChannel channel = channel("1.2.4.8"); // a Chinese client, not a trusted proxy

        channel.writeInbound(request("X-Forwarded-For: 8.8.8.8\r\n"));
        FullHttpResponse response = response(channel);

        assertThat(response.status().code()).as("still decided as CN -> beijing, which is down").isEqualTo(503);
        assertThat(completed).singleElement().satisfies(e -> assertThat(e.country()).isEqualTo("CN"));
        response.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void aChineseClientGets503WhenBeijingIsDownAndIsNeverSentElsewhere() {
        markDown(new Endpoint("http", "127.0.0.1", 1));
        EmbeddedChannel channel = channel("1.2.4.8");

        channel.writeInbound(request(""));
        FullHttpResponse response = response(channel);

        assertThat(response.status().code()).isEqualTo(503);
        assertThat(response.headers().get("Retry-After")).isNotNull();
        assertThat(response.headers().get("Connection")).as("a bodiless request keeps its connection").isNull();
        assertThat(response.content().toString(StandardCharsets.UTF_8))
                .contains("\"error\":\"no region may serve this request now; retry later\"")
                .doesNotContain("beijing").doesNotContain("fail-over");
        assertThat(completed).singleElement().satisfies(exchange -> {
            assertThat(exchange.status()).isEqualTo(503);
            assertThat(exchange.error()).as("the access log keeps the details")
                    .isEqualTo("no available region may serve this request: home region beijing, allowed fail-over []");
            assertThat(exchange.region()).isEqualTo("beijing");
            assertThat(exchange.country()).isEqualTo("CN");
            assertThat(exchange.upstream()).isNull();
        });
        assertThat(metrics.scrape()).contains("homeport_residency_denied_total{region=\"beijing\"} 1.0");
        response.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void aRequestWithABodyThatCannotBeServedClosesTheConnection() {
        markDown(new Endpoint("http", "127.0.0.1", 1));
        EmbeddedChannel channel = channel("1.2.4.8");

        channel.writeInbound(Unpooled.copiedBuffer("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody",
                StandardCharsets.US_ASCII));
        FullHttpResponse response = response(channel);

        assertThat(response.status().code()).isEqualTo(503);
        assertThat(response.headers().get("Connection")).isEqualTo("close");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("the unread body cannot be told from a next request").isFalse();
        response.release();
        channel.finishAndReleaseAll();
    }

    /**
     * The drain closes an idle connection once its last answer has gone out; a request read while
     * that answer is still on its way is never started (beijing is down: had it started, it would
     * have been answered 503 and counted).
     */
    @Test
    void aRequestReadWhileTheDrainClosesAnIdleConnectionIsNeverStarted() {
        markDown(new Endpoint("http", "127.0.0.1", 1));
        HeldWrites socket = new HeldWrites();
        EmbeddedChannel channel = channel("1.2.4.8", socket);

        channel.pipeline().fireUserEventTriggered(Drain.Event.STARTED);
        assertThat(channel.isOpen()).as("open until what was written has gone out").isTrue();
        channel.writeInbound(request(""));

        assertThat(completed).as("nothing started").isEmpty();
        assertThat(channel.isOpen()).as("still open: only the drain closes it").isTrue();
        assertThat(socket.pending()).as("only the drain's empty write").isEqualTo(1);
        socket.release();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("closed once the writes went out").isFalse();
        assertThat((Object) channel.readOutbound()).as("nothing answered").isEqualTo(Unpooled.EMPTY_BUFFER);
        channel.finishAndReleaseAll();
    }

    @Test
    void keepsServingTheNextRequestOnTheSameConnection() {
        markDown(new Endpoint("http", "127.0.0.1", 1));
        EmbeddedChannel channel = channel("1.2.4.8");

        channel.writeInbound(request(""));
        channel.writeInbound(request(""));
        EmbeddedChannel client = decoder();
        for (ByteBuf chunk; (chunk = channel.readOutbound()) != null; ) {
            client.writeInbound(chunk);
        }
        FullHttpResponse first = client.readInbound();
        FullHttpResponse second = client.readInbound();

        assertThat(first.status().code()).isEqualTo(503);
        assertThat(second).as("the second request was read and answered too").isNotNull();
        assertThat(second.status().code()).isEqualTo(503);
        assertThat(completed).hasSize(2);
        first.release();
        second.release();
        channel.finishAndReleaseAll();
    }

    private void markDown(Endpoint endpoint) {
        for (int i = 0; i < SETTINGS.ejectAfterFailures(); i++) {
            health.recordFailure(endpoint); // passive ejection
        }
    }

    private EmbeddedChannel channel(String peer) {
        return channel(peer, new ChannelHandler[0]);
    }

    /** With {@code socket} handlers nearest the socket, before the codec. */
    private EmbeddedChannel channel(String peer, ChannelHandler... socket) {
        ProxyContext context = new ProxyContext(
                new SnapshotHolder(config),
                new ClientAddressResolver(List.of(Cidr.parse("127.0.0.0/8").orElseThrow())),
                new RegionSelector(health),
                new RetryBudget(0.2, 10),
                new UpstreamConnections(Transports.best(), UpstreamTimeouts.DEFAULTS),
                metrics,
                completed::add,
                new Drain());
        InetSocketAddress remote = new InetSocketAddress(peer, 40000);
        EmbeddedChannel channel = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote;
            }
        };
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(socket);
        channel.pipeline().addLast(new HttpServerCodec(), new FlowControlHandler(), new ProxyHandler(context, false));
        channel.pipeline().fireChannelActive();
        return channel;
    }

    private static ByteBuf request(String headers) {
        return Unpooled.copiedBuffer("GET /api HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n", StandardCharsets.US_ASCII);
    }

    private static FullHttpResponse response(EmbeddedChannel server) {
        EmbeddedChannel client = decoder();
        for (ByteBuf chunk; (chunk = server.readOutbound()) != null; ) {
            client.writeInbound(chunk);
        }
        return client.readInbound();
    }

    private static EmbeddedChannel decoder() {
        return new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(65536));
    }
}
