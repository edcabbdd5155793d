package io.homeport.proxy.h1;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.metrics.GatewayMetrics;
import io.homeport.netty.HeldWrites;
import io.homeport.proxy.CompletedExchange;
import io.homeport.proxy.Drain;
import io.homeport.proxy.ExchangeListener;
import io.homeport.proxy.ProxyContext;
import io.homeport.proxy.ProxyContexts;
import io.homeport.proxy.ProxySettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct path's client handler in an EmbeddedChannel, before anything goes upstream: what it
 * hands to the full path and when, a head in pieces waited for, and a head that never completes.
 * (Forwarding itself runs on real sockets: {@code ForwarderTest}, {@code DirectPathTest}.)
 */
class DirectHttp1HandlerTest {

    @TempDir
    Path directory;

    private ProxyContext context;
    private final List<CompletedExchange> refused = new ArrayList<>();
    private GatewayMetrics metrics;

    @BeforeEach
    void setUp() throws Exception {
        metrics = new GatewayMetrics();
        context = ProxyContexts.oneRegion(directory, metrics, new ExchangeListener() {
            @Override
            public void completed(CompletedExchange exchange) {
                throw new AssertionError("nothing is forwarded in these tests");
            }

            @Override
            public void refused(CompletedExchange exchange) {
                refused.add(exchange);
            }
        });
    }

    /** Stands in for the full pipeline: records what it is given. */
    private static final class FullPath extends ChannelInboundHandlerAdapter {
        final StringBuilder bytes = new StringBuilder();
        boolean active;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active = true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            bytes.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
    }

    private final FullPath full = new FullPath();

    private EmbeddedChannel channel(ProxySettings settings) {
        return new EmbeddedChannel(new DirectHttp1Handler(context, settings, false, pipeline -> pipeline.addLast("full", full)));
    }

    private static ByteBuf text(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    private double handovers(String reason) {
        return metrics.registry().find("homeport.direct.path.handovers").tag("reason", reason).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    /**
     * The drain closes an idle connection once its last answer has gone out; a request read while
     * that answer is still on its way must not start (forwarded and then cut, its client could not
     * know whether the backend acted on it).
     */
    @Test
    void aRequestReadWhileTheDrainClosesAnIdleConnectionIsNeverStarted() throws Exception {
        List<String> started = new ArrayList<>();
        ExchangeListener listener = new ExchangeListener() {
            @Override
            public void started() {
                started.add("started");
            }

            @Override
            public void completed(CompletedExchange exchange) {
                started.add("completed " + exchange.status());
            }

            @Override
            public void refused(CompletedExchange exchange) {
                started.add("refused " + exchange.status() + " " + exchange.error());
            }
        };
        ProxyContext draining = ProxyContexts.oneRegion(Files.createDirectories(directory.resolve("draining")), metrics, listener);
        HeldWrites socket = new HeldWrites();
        InetSocketAddress peer = new InetSocketAddress("8.8.8.8", 40000);
        EmbeddedChannel channel = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return peer;
            }
        };
        channel.pipeline().addLast(socket,
                new DirectHttp1Handler(draining, ProxySettings.DEFAULTS, false, pipeline -> pipeline.addLast("full", full)));

        channel.pipeline().fireUserEventTriggered(Drain.Event.STARTED);
        assertThat(channel.isOpen()).as("open until what was written has gone out").isTrue();
        channel.writeInbound(text("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n"));

        assertThat(started).as("nothing started").isEmpty();
        assertThat(full.bytes).as("nothing handed over").isEmpty();
        assertThat(channel.isOpen()).as("still open: only the drain closes it").isTrue();
        socket.release();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("closed once the writes went out").isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void handsARequestThatIsNotPlainToTheFullPathWithEveryByte() {
        EmbeddedChannel channel = channel(ProxySettings.DEFAULTS);
        String post = "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi";

        channel.writeInbound(text(post));

        assertThat(channel.pipeline().get(DirectHttp1Handler.class)).as("it left the pipeline").isNull();
        assertThat(full.active).as("the full path is told the connection is active").isTrue();
        assertThat(full.bytes).hasToString(post);
        assertThat(handovers("not_plain")).isEqualTo(1);
        channel.finishAndReleaseAll();
    }

    @Test
    void waitsForAPlainHeadThatArrivesInPiecesAndHandsOverNothing() {
        EmbeddedChannel channel = channel(ProxySettings.DEFAULTS);
        String head = "GET /api/x HTTP/1.1\r\nHost: a\r\nUser-Agent: okhttp/4.12.0\r\n";

        for (int i = 0; i < head.length(); i += 7) {
            channel.writeInbound(text(head.substring(i, Math.min(head.length(), i + 7))));
        }

        assertThat(channel.pipeline().get(DirectHttp1Handler.class)).as("still the direct path").isNotNull();
        assertThat(full.bytes).isEmpty();
        assertThat((Object) channel.readOutbound()).as("nothing answered yet").isNull();
        assertThat(handovers("not_plain") + handovers("head_too_large")).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void handsOverAHeadLargerThanTheLimitsSoTheFullPathAnswersIt() {
        EmbeddedChannel channel = channel(ProxySettings.DEFAULTS);
        String head = "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Pad: " + "p".repeat(ProxySettings.DEFAULTS.maxHeaderBytes() + 100);

        channel.writeInbound(text(head));

        assertThat(channel.pipeline().get(DirectHttp1Handler.class)).isNull();
        assertThat(full.bytes).hasToString(head);
        // Counted as not plain when the limit is passed inside the bytes read, as too large when the bytes end at it.
        assertThat(handovers("head_too_large") + handovers("not_plain")).isEqualTo(1);
        channel.finishAndReleaseAll();
    }

    @Test
    void answers408WithARequestIdWhenAHeadNeverCompletes() {
        ProxySettings d = ProxySettings.DEFAULTS;
        EmbeddedChannel channel = channel(new ProxySettings(d.maxRequestLineBytes(), d.maxHeaderBytes(), d.maxHeaderCount(),
                Duration.ofSeconds(2), d.clientIdleTimeout(), d.drainTimeout(), d.maxRequestBodyBytes(),
                d.headersWithUnderscores()));
        channel.writeInbound(text("GET /api/x HTTP/1.1\r\nHost:"));

        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        ByteBuf answer = channel.readOutbound();
        String response = answer.toString(StandardCharsets.ISO_8859_1);
        answer.release();
        assertThat(response).startsWith("HTTP/1.1 408 ").containsIgnoringCase("Connection: close").contains("\"request_id\":\"");
        assertThat(refused).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(408);
            assertThat(e.reason()).isEqualTo("head_timeout");
            assertThat(response).contains(e.requestId());
        });
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("closed once the answer is flushed").isFalse();
        channel.finishAndReleaseAll();
    }
}
