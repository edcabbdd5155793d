package io.homeport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.metrics.GatewayMetrics;
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
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.FullHttpResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forwarding core once, with fake framings on both sides: a client side that records the
 * gateway's answers and the ends of exchanges, an upstream request that records where it was sent.
 * Connections are real (loopback: a listening socket, and a port that refuses), so selection,
 * fail-over, the retry budget, the residency 503 and the response deadline run as in the gateway.
 */
class ForwarderTest {

    @TempDir
    Path directory;

    private final EventLoopGroup loop = Transports.best().newGroup(1, "forwarder-test");
    private final List<CompletedExchange> completed = new CopyOnWriteArrayList<>();
    private final FakeClient client = new FakeClient();
    private ServerSocket listening;
    private int refusedPort;
    private GatewayMetrics metrics;
    private Channel clientChannel;

    @BeforeEach
    void setUp() throws Exception {
        listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // the kernel completes handshakes
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusedPort = closed.getLocalPort();
        }
        Files.copy(Path.of("src/test/resources/geoip/GeoLite2-Country-Test.mmdb"), directory.resolve("geoip.mmdb"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (clientChannel != null) {
            clientChannel.close().sync();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        listening.close();
    }

    /** A forwarder on a real event loop, for rules whose regions' endpoints are given. */
    private Forwarder forwarder(String rules, RetryBudget budget, Duration responseTimeout) throws Exception {
        Files.writeString(directory.resolve("rules.yaml"), rules);
        metrics = new GatewayMetrics();
        ProxyContext proxy = new ProxyContext(
                new SnapshotHolder(ConfigReloader.load(directory.resolve("rules.yaml"), directory.resolve("geoip.mmdb"), 10)),
                new io.homeport.proxy.ClientAddressResolver(List.of(io.homeport.net.Cidr.parse("127.0.0.0/8").orElseThrow())),
                new RegionSelector(new UpstreamHealth(HealthSettings.DEFAULTS)),
                budget,
                new UpstreamConnections(Transports.best(), new UpstreamTimeouts(Duration.ofSeconds(1), responseTimeout,
                        Duration.ofSeconds(30))),
                metrics,
                new ExchangeListener() {
                    @Override
                    public void completed(CompletedExchange exchange) {
                        completed.add(exchange);
                    }
                },
                new Drain());
        Holder holder = new Holder();
        clientChannel = newClientChannel(holder);
        return new Forwarder(proxy, client, holder.ctx);
    }

    private static final class Holder extends ChannelInboundHandlerAdapter {
        ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }
    }

    /** An unconnected channel registered on the loop: the client connection's context, never written to. */
    private Channel newClientChannel(Holder holder) throws Exception {
        Channel channel = Transports.best().socketChannel().getDeclaredConstructor().newInstance();
        channel.pipeline().addLast(holder);
        loop.register(channel).sync();
        return channel;
    }

    private String rules(String singapore, String us, String beijing) {
        return """
                version: 1
                regions:
                  beijing: {endpoints: ["%s"], fail_over_to: []}
                  singapore: {endpoints: ["%s"], fail_over_to: [us]}
                  us: {endpoints: ["%s"], fail_over_to: [singapore]}
                residency:
                  default_region: us
                  countries: {CN: beijing, SG: singapore}
                """.formatted(beijing, singapore, us);
    }

    private String listeningUrl() {
        return "http://127.0.0.1:" + listening.getLocalPort();
    }

    private String refusingUrl() {
        return "http://127.0.0.1:" + refusedPort;
    }

    /** Decides and starts a GET from {@code client} on the loop; returns the fake upstream request. */
    private FakeRequest start(Forwarder forwarder, String clientAddress) throws Exception {
        FakeRequest request = new FakeRequest();
        loop.submit(() -> {
            RequestFacts facts = new RequestFacts(InetAddress.getLoopbackAddress(), ClientIp.SOCKET, clientAddress, null, null,
                    "api.example", "/x", "GET", "req-" + clientAddress, false, true);
            ServingConfig config = forwarder.proxy().config().current();
            Exchange exchange = new Exchange(config, forwarder, facts);
            exchange.request(request);
            exchange.requestIsWhole();
            forwarder.start(exchange);
        }).sync();
        return request;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void sendsToTheHomeRegionAndFinishesOnce() throws Exception {
        Forwarder forwarder = forwarder(rules(listeningUrl(), listeningUrl(), listeningUrl()), new RetryBudget(0.2, 10),
                Duration.ofSeconds(10));
        FakeRequest request = start(forwarder, "165.21.83.88");
        await(() -> request.sentTo.size() == 1);

        Exchange exchange = request.exchanges.get(0);
        assertThat(exchange.servingRegion()).isEqualTo("singapore");
        loop.submit(() -> {
            forwarder.responseStarted(exchange, 200);
            forwarder.finish(exchange, 200, null, false);
            forwarder.finish(exchange, 200, null, false); // a second finish changes nothing
        }).sync();

        assertThat(completed).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.region()).isEqualTo("singapore");
            assertThat(e.reason()).isEqualTo("country");
        });
        assertThat(client.ended).containsExactly(false);
        assertThat(forwarder.current()).isNull();
        assertThat(metrics.residencyViolations()).isZero();
    }

    @Test
    void failsOverOnlyToARegionTheRulesAllowWhenTheHomeEndpointRefuses() throws Exception {
        Forwarder forwarder = forwarder(rules(refusingUrl(), listeningUrl(), refusingUrl()), new RetryBudget(0.2, 10),
                Duration.ofSeconds(10));
        FakeRequest request = start(forwarder, "165.21.83.88");
        await(() -> request.sentTo.size() == 1);

        assertThat(request.sentTo).containsExactly(new Endpoint("http", "127.0.0.1", listening.getLocalPort()));
        assertThat(request.exchanges.get(0).servingRegion()).as("singapore may fail over to us").isEqualTo("us");
        assertThat(metrics.scrape()).contains("homeport_failovers_total{from=\"singapore\",to=\"us\"} 1.0");
        loop.submit(() -> request.exchanges.get(0).forwarder().finish(request.exchanges.get(0), 200, null, false)).sync();
        assertThat(metrics.residencyViolations()).isZero();
    }

    @Test
    void answers503WhenNoRegionTheRulesAllowIsAvailable() throws Exception {
        Forwarder forwarder = forwarder(rules(listeningUrl(), listeningUrl(), refusingUrl()), new RetryBudget(0.2, 10),
                Duration.ofSeconds(10));
        FakeRequest request = start(forwarder, "1.2.4.8"); // CN: beijing, which may not fail over
        await(() -> client.ended.size() == 1); // the last thing an exchange does: answered, logged, freed

        assertThat(request.sentTo).as("never sent anywhere, though singapore and us are up").isEmpty();
        assertThat(client.answers).containsExactly(503);
        assertThat(client.bodies.get(0)).contains(Forwarder.SERVICE_UNAVAILABLE_MESSAGE).doesNotContain("beijing");
        assertThat(completed).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.region()).isEqualTo("beijing");
            assertThat(e.error()).contains("home region beijing, allowed fail-over []");
        });
        assertThat(metrics.scrape()).contains("homeport_residency_denied_total{region=\"beijing\"} 1.0");
        assertThat(metrics.residencyViolations()).isZero();
    }

    @Test
    void answers502WhenTheRetryBudgetIsSpent() throws Exception {
        Forwarder forwarder = forwarder(rules(refusingUrl(), listeningUrl(), listeningUrl()), new RetryBudget(0.01, 0),
                Duration.ofSeconds(10));
        FakeRequest request = start(forwarder, "165.21.83.88");
        await(() -> client.ended.size() == 1); // the last thing an exchange does: answered, logged, freed

        assertThat(request.sentTo).as("the fail-over to us is a retry, and none is left").isEmpty();
        assertThat(client.answers).containsExactly(502);
        assertThat(completed).singleElement().satisfies(e -> assertThat(e.error()).contains("retry budget is spent"));
    }

    @Test
    void answers504WhenNoResponseHeadArrivesBeforeTheDeadline() throws Exception {
        Forwarder forwarder = forwarder(rules(listeningUrl(), listeningUrl(), listeningUrl()), new RetryBudget(0.2, 10),
                Duration.ofMillis(200));
        long start = System.nanoTime();
        FakeRequest request = start(forwarder, "8.8.8.8");
        await(() -> client.ended.size() == 1); // the last thing an exchange does: answered, logged, freed

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(request.sentTo).hasSize(1);
        assertThat(client.answers).containsExactly(504);
        assertThat(completed).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(504);
            assertThat(e.region()).isEqualTo("us");
        });
        assertThat(request.released).as("the request's resources are freed at the end").isTrue();
    }

    @Test
    void doesNotRetryARequestWhoseFirstConnectionWasFresh() throws Exception {
        Forwarder forwarder = forwarder(rules(listeningUrl(), listeningUrl(), listeningUrl()), new RetryBudget(0.2, 10),
                Duration.ofSeconds(10));
        FakeRequest request = start(forwarder, "8.8.8.8");
        await(() -> request.sentTo.size() == 1);
        Exchange exchange = request.exchanges.get(0);

        boolean retried = loop.submit(() -> forwarder.retryOnFreshConnection(exchange)).get();

        assertThat(retried).as("only a reused connection may have gone stale").isFalse();
        loop.submit(() -> forwarder.clientClosed()).sync();
        assertThat(completed).singleElement().satisfies(e -> assertThat(e.status()).isEqualTo(499));
        assertThat(client.ended).containsExactly(true);
    }

    /** Records what the core asks of the client framing. */
    private static final class FakeClient implements ClientSide {
        final List<Integer> answers = new CopyOnWriteArrayList<>();
        final List<String> bodies = new CopyOnWriteArrayList<>();
        final List<Boolean> ended = new CopyOnWriteArrayList<>();

        @Override
        public void writeAnswer(Exchange exchange, FullHttpResponse response) {
            answers.add(response.status().code());
            bodies.add(response.content().toString(StandardCharsets.UTF_8));
            response.release();
        }

        @Override
        public void readRequestBody(Exchange exchange) {
            throw new AssertionError("a whole request has no body to read");
        }

        @Override
        public void exchangeEnded(Exchange exchange, boolean close) {
            ended.add(close);
        }
    }

    /** Records where the core sent it; the answer is the test's to give. */
    private static final class FakeRequest implements UpstreamRequest {
        final List<Endpoint> sentTo = new CopyOnWriteArrayList<>();
        final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
        volatile boolean released;

        @Override
        public UpstreamConnections.Framing framing() {
            return UpstreamConnections.Framing.RAW;
        }

        @Override
        public void send(Exchange exchange, Channel upstream) {
            exchanges.add(exchange);
            sentTo.add(exchange.endpoint());
        }

        @Override
        public void release() {
            released = true;
        }
    }
}
