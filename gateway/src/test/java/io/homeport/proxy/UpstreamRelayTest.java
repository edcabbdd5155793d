package io.homeport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.metrics.GatewayMetrics;
import io.homeport.rules.Endpoint;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upstream side of the relay in EmbeddedChannels: what the client gets back, and what is counted. */
class UpstreamRelayTest {

    @TempDir
    Path directory;

    private ProxyContext context;
    private final List<CompletedExchange> completed = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        context = ProxyContexts.oneRegion(directory, new GatewayMetrics(), completed::add);
    }

    @Test
    void relaysTheResponseWithTheServingRegionAndWithoutHopByHopHeaders() {
        Relay relay = relay(HttpVersion.HTTP_1_1, true);
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set("Content-Length", "5").set("Keep-Alive", "timeout=5").set("Connection", "keep-alive, X-Hop")
                .set("X-Hop", "1").set("X-App", "kept");

        relay.upstream.writeInbound(response, new DefaultLastHttpContent(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)));

        HttpResponse relayed = relay.client.readOutbound();
        assertThat(relayed.status().code()).isEqualTo(200);
        assertThat(relayed.headers().get("X-Homeport-Region")).isEqualTo("us");
        assertThat(relayed.headers().get("X-Request-Id")).isEqualTo("req-1");
        assertThat(relayed.headers().get("X-App")).isEqualTo("kept");
        assertThat(relayed.headers().contains("Keep-Alive")).isFalse();
        assertThat(relayed.headers().contains("X-Hop")).isFalse();
        assertThat(relayed.headers().contains("Connection")).as("keep-alive is the HTTP/1.1 default").isFalse();
        LastHttpContent body = relay.client.readOutbound();
        assertThat(body.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        body.release();
        assertThat(completed).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.upstream()).hasToString("http://127.0.0.1:2");
        });
        assertThat(relay.upstream.isOpen()).as("a clean keep-alive exchange returns its connection to the pool").isTrue();
        relay.close();
    }

    @Test
    void aResponseOfUnknownLengthIsChunkedForHttp11AndCloseDelimitedForHttp10() {
        Relay http11 = relay(HttpVersion.HTTP_1_1, true);
        http11.upstream.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), LastHttpContent.EMPTY_LAST_CONTENT);
        HttpResponse chunked = http11.client.readOutbound();
        assertThat(chunked.headers().get("Transfer-Encoding")).isEqualTo("chunked");
        http11.close();

        Relay http10 = relay(HttpVersion.HTTP_1_0, true);
        http10.upstream.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), LastHttpContent.EMPTY_LAST_CONTENT);
        HttpResponse closeDelimited = http10.client.readOutbound();
        assertThat(closeDelimited.headers().contains("Transfer-Encoding")).isFalse();
        assertThat(closeDelimited.headers().get("Connection")).isEqualTo("close");
        http10.client.runPendingTasks();
        assertThat(http10.client.isOpen()).as("the body of an HTTP/1.0 answer ends when the connection does").isFalse();
        http10.close();
    }

    @Test
    void anUpstreamThatClosesBeforeAnsweringGets502() {
        Relay relay = relay(HttpVersion.HTTP_1_1, true);

        relay.upstream.close();

        HttpResponse answer = relay.client.readOutbound();
        assertThat(answer.status().code()).isEqualTo(502);
        ReferenceCountUtil.release(answer);
        assertThat(completed).singleElement().satisfies(e -> assertThat(e.status()).isEqualTo(502));
        relay.close();
    }

    @Test
    void swallowsInterimResponses() {
        Relay relay = relay(HttpVersion.HTTP_1_1, true);

        relay.upstream.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));

        assertThat((Object) relay.client.readOutbound()).as("the gateway answered 100-continue itself").isNull();
        relay.close();
    }

    /** A client channel with its ProxyHandler, an upstream channel with a bound relay, one exchange in flight. */
    private Relay relay(HttpVersion clientVersion, boolean keepAlive) {
        ProxyHandler owner = new ProxyHandler(context, false);
        EmbeddedChannel client = new EmbeddedChannel(owner);
        RequestFacts facts = new RequestFacts(InetAddress.getLoopbackAddress(), ClientIp.SOCKET, null, null, null, "a", "/",
                "GET", "req-1", !keepAlive, true);
        Exchange exchange = new Exchange(context.config().current(), owner.forwarder(), facts);
        CodecRequest request = new CodecRequest(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"),
                clientVersion, owner);
        exchange.request(request);
        exchange.endpoint = new Endpoint("http", "127.0.0.1", 2);
        exchange.servingRegion = "us";
        exchange.requestComplete = true;
        UpstreamRelay relay = new UpstreamRelay(context);
        EmbeddedChannel upstream = new EmbeddedChannel(relay);
        exchange.upstream = upstream;
        relay.bind(exchange, request);
        return new Relay(client, upstream);
    }

    private record Relay(EmbeddedChannel client, EmbeddedChannel upstream) {
        void close() {
            for (Object message; (message = client.readOutbound()) != null; ) {
                ReferenceCountUtil.release(message);
            }
            client.finishAndReleaseAll();
            upstream.finishAndReleaseAll();
        }
    }
}
