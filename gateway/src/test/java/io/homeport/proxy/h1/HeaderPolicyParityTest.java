package io.homeport.proxy.h1;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.proxy.ForwardedHeaders;
import io.homeport.proxy.HeaderPolicy;
import io.homeport.proxy.ProxyHandler;
import io.homeport.proxy.ProxySettings;
import io.homeport.routing.IpAddresses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two writers of {@link HeaderPolicy} — Netty's headers on the codec path, wire bytes on the
 * direct path — produce the same upstream head, byte for byte, for a corpus of plain requests from
 * trusted and untrusted, IPv4 and IPv6 peers, over cleartext and TLS.
 */
class HeaderPolicyParityTest {

    private static final String UA = "User-Agent: okhttp/4.12.0\r\n";

    static List<String> corpus() {
        return List.of(
                "GET /api/x HTTP/1.1\r\nHost: api.example\r\n" + UA + "Accept: */*\r\n\r\n",
                "GET /api/x?q=1&r=%20 HTTP/1.1\r\nHost: api.example:8443\r\nX-Forwarded-For: 1.2.4.8, 10.0.0.1\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\nAccept: */*\r\nX-Forwarded-For: 8.8.8.8\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nForwarded: for=1.2.4.8;proto=https\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nForwarded: for=\"[2001:db8::1]:443\"\r\nForwarded: for=1.2.4.8\r\n\r\n",
                "GET /a HTTP/1.1\r\nX-Forwarded-Proto: https\r\nHost: a\r\nX-Forwarded-Host: www.example\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nX-Request-Id: client-chosen-id-17\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nX-Request-Id: has a space\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nX-Homeport-Region: beijing\r\nX-Homeport-Country: CN\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nTE: trailers\r\nTrailer: X-Sum\r\nProxy-Connection: keep-alive\r\n"
                        + "Proxy-Authorization: Basic YTpi\r\nProxy-Authenticate: Basic\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a\r\nX_Real_IP: 8.8.8.8\r\nTransfer_Encoding: chunked\r\nX_Forwarded_For: 9.9.9.9\r\n\r\n",
                "GET /a HTTP/1.1\r\nhost: a\r\nx-FORWARDED-for: 1.2.4.8\r\nX-REQUEST-ID: Mixed-Case-1\r\nFORWARDED: for=5.6.7.8\r\n\r\n",
                "HEAD /a HTTP/1.1\r\nHost: a\r\n\r\n",
                "DELETE /api/items/42 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
                "OPTIONS /api/x HTTP/1.1\r\nHost: a\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: PUT\r\n\r\n",
                // A phone app's head (~800 B): the fields the benchmarks' large-head workload sends.
                "GET /api/v2/feed?cursor=abc123 HTTP/1.1\r\nHost: api.example\r\n"
                        + "User-Agent: ExampleApp/9.4.1 (Android 14; Pixel 8; Build/AP2A.240805.005)\r\n"
                        + "Accept: application/json\r\nAccept-Language: en-IN,hi;q=0.9,en;q=0.8\r\nAccept-Encoding: gzip\r\n"
                        + "Authorization: Bearer " + "eyJhbGciOiJSUzI1NiJ9." + "x".repeat(300) + "\r\n"
                        + "Cookie: session=" + "s".repeat(120) + "; locale=en_IN; ab=7\r\n"
                        + "X-Device-Id: 0f8fad5b-d9cb-469f-a165-70867728950e\r\nX-App-Version: 9.4.1\r\n\r\n");
    }

    static Stream<Arguments> cases() throws Exception {
        List<Arguments> cases = new ArrayList<>();
        for (String request : corpus()) {
            for (String peer : List.of("127.0.0.1", "203.0.113.9", "::1", "2001:db8::5")) {
                for (boolean tls : List.of(false, true)) {
                    cases.add(Arguments.of(request, InetAddress.getByName(peer), tls));
                }
            }
        }
        return cases.stream();
    }

    private static boolean trusted(InetAddress peer) {
        return peer.isLoopbackAddress(); // the gateway's trusted_proxies, for this test
    }

    @ParameterizedTest
    @MethodSource("cases")
    void bothWritersProduceTheSameUpstreamHead(String request, InetAddress peer, boolean tls) {
        byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
        RequestHead head = new RequestHead(ProxySettings.DEFAULTS.maxRequestLineBytes(), ProxySettings.DEFAULTS.maxHeaderBytes(),
                ProxySettings.DEFAULTS.maxHeaderCount());
        head.underscores(ProxySettings.HeadersWithUnderscores.DROP);
        assertThat(head.parse(bytes, bytes.length, null)).as("plain, so the direct path takes it")
                .isEqualTo(RequestHead.Outcome.COMPLETE);
        String requestId = ForwardedHeaders.requestId(head.requestId);

        assertThat(codec(request, peer, tls, requestId)).isEqualTo(direct(head, bytes, peer, tls, requestId));
    }

    /** The direct path: the wire writer, then the serving region and the end of the head (as DirectRequest sends it). */
    private static String direct(RequestHead head, byte[] bytes, InetAddress peer, boolean tls, String requestId) {
        ByteBuf out = Unpooled.buffer();
        try {
            head.writeUpstream(bytes, out, IpAddresses.toText(peer), trusted(peer), tls, requestId, "IN");
            out.writeCharSequence("x-homeport-region: singapore\r\n\r\n", StandardCharsets.US_ASCII);
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    /** The codec path: Netty's decoder, the Netty-headers writer, the region as CodecRequest sets it, Netty's encoder. */
    private static String codec(String request, InetAddress peer, boolean tls, String requestId) {
        EmbeddedChannel decoder = new EmbeddedChannel(new HttpRequestDecoder());
        decoder.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        HttpRequest decoded = decoder.readInbound();
        for (Object rest; (rest = decoder.readInbound()) != null; ) {
            io.netty.util.ReferenceCountUtil.release(rest);
        }
        decoder.finishAndReleaseAll();
        HttpHeaders headers = decoded.headers();
        ForwardedHeaders.dropNamesWithUnderscores(headers);
        ForwardedHeaders.forUpstream(headers, peer, trusted(peer), tls, requestId, "IN", "us", false);
        headers.set(ForwardedHeaders.X_HOMEPORT_REGION, "singapore"); // the serving region, after fail-over
        HttpRequest upstream = new DefaultHttpRequest(HttpVersion.HTTP_1_1, decoded.method(),
                ProxyHandlerAccess.originForm(decoded.uri()), headers);

        EmbeddedChannel encoder = new EmbeddedChannel(new HttpRequestEncoder());
        encoder.writeOutbound(upstream, LastHttpContent.EMPTY_LAST_CONTENT);
        StringBuilder wire = new StringBuilder();
        for (ByteBuf chunk; (chunk = encoder.readOutbound()) != null; ) {
            wire.append(chunk.toString(StandardCharsets.ISO_8859_1));
            chunk.release();
        }
        encoder.finishAndReleaseAll();
        return wire.toString();
    }

    @Test
    void thePolicyNamesEveryFieldEitherPathTreatsSpecially() {
        assertThat(HeaderPolicy.table()).containsOnlyKeys("connection", "keep-alive", "proxy-connection", "te", "trailer",
                "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization", "x-forwarded-for",
                "x-request-id", "x-homeport-country", "x-homeport-region", "forwarded", "x-forwarded-proto",
                "x-forwarded-host");
        assertThat(HeaderPolicy.rule("X-Forwarded-For")).isEqualTo(HeaderPolicy.Rule.REPLACE);
        assertThat(HeaderPolicy.rule("x-forwarded-proto")).isEqualTo(HeaderPolicy.Rule.TRUSTED_ONLY);
        assertThat(HeaderPolicy.rule("TE")).isEqualTo(HeaderPolicy.Rule.DROP);
        assertThat(HeaderPolicy.rule("User-Agent")).isEqualTo(HeaderPolicy.Rule.COPY);
    }

    /** ProxyHandler's origin-form rewrite, which is package-private there. */
    private static final class ProxyHandlerAccess {
        static String originForm(String uri) {
            return uri.startsWith("/") ? uri : ProxyHandler.pathOf(uri);
        }
    }
}
