package io.homeport.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Slow clients against the request-head clock, on the EmbeddedChannel's own clock: no sleeping. */
class RequestHeadTimeoutHandlerTest {

    final EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec());

    @BeforeEach
    void startTheClock() {
        channel.freezeTime(); // before the handler arrives, so its clock starts on the frozen time
        channel.pipeline().addLast(new RequestHeadTimeoutHandler(Duration.ofSeconds(10)));
    }

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    @Test
    void cutsOffAConnectionThatSendsNothingWith408() {
        elapse(9_999);
        assertThat(channel.isOpen()).isTrue();

        elapse(1);

        assertThat(written()).startsWith("HTTP/1.1 408 Request Timeout").contains("connection: close")
                .contains("{\"error\":\"request head not received within 10000 ms\"");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aTrickledHeadDoesNotResetTheClock() {
        for (String piece : new String[] {"GET / HT", "TP/1.1\r\n", "Host: a\r\n", "X-Slow: 1\r\n"}) {
            send(piece);
            elapse(2_400);
        }
        elapse(400);

        assertThat(written()).startsWith("HTTP/1.1 408");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aHeadCompleteInTimeStopsTheClock() {
        elapse(9_000);
        send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

        elapse(60_000);

        assertThat(channel.isOpen()).isTrue();
        assertThat(written()).isEmpty();
    }

    @Test
    void onKeepAliveTheClockStartsWithTheNextRequestsFirstBytes() {
        send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        respond(HttpResponseStatus.OK);
        written();

        elapse(50_000); // idle between requests: the idle timeout's business, not this one's
        assertThat(channel.isOpen()).isTrue();

        send("GET /next HTTP/1.1\r\n");
        elapse(9_999);
        assertThat(channel.isOpen()).isTrue();
        elapse(1);

        assertThat(written()).startsWith("HTTP/1.1 408");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anInterimResponseIsNotTheEndOfTheExchange() {
        send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        respond(HttpResponseStatus.CONTINUE);
        send("hel");

        elapse(30_000); // a slow upload is the upstream timeouts' business

        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aPipelinedHeadThatAlreadyArrivedNeedsNoClock() {
        send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
        respond(HttpResponseStatus.OK);
        send(""); // a read completes while the second request is being answered

        elapse(30_000);

        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void leavesAfterSwitchingProtocols() {
        send("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n");
        respond(HttpResponseStatus.SWITCHING_PROTOCOLS);

        assertThat(channel.pipeline().get(RequestHeadTimeoutHandler.class)).isNull();
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void respond(HttpResponseStatus status) {
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status));
    }

    private void elapse(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    private String written() {
        StringBuilder text = new StringBuilder();
        for (ByteBuf chunk; (chunk = channel.readOutbound()) != null; chunk.release()) {
            text.append(chunk.toString(StandardCharsets.UTF_8));
        }
        return text.toString();
    }
}
