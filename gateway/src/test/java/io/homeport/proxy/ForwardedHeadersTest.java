package io.homeport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.routing.IpAddresses;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {

    private static final InetAddress PEER = IpAddresses.parseLiteral("10.0.0.1").orElseThrow();

    @Test
    void fromATrustedPeerAppendsToTheChainAndKeepsItsFacts() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .set("Host", "api.example.com")
                .set("X-Forwarded-For", "1.2.4.8")
                .set("X-Forwarded-Proto", "https")
                .set("Forwarded", "for=1.2.4.8");

        ForwardedHeaders.forUpstream(headers, PEER, true, false, "id-1", "CN", "beijing", false);

        assertThat(headers.get("X-Forwarded-For")).isEqualTo("1.2.4.8, 10.0.0.1");
        assertThat(headers.get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(headers.get("X-Forwarded-Host")).isEqualTo("api.example.com");
        assertThat(headers.get("Forwarded")).isEqualTo("for=1.2.4.8");
        assertThat(headers.get("X-Homeport-Country")).isEqualTo("CN");
        assertThat(headers.get("X-Homeport-Region")).isEqualTo("beijing");
        assertThat(headers.get("X-Request-Id")).isEqualTo("id-1");
    }

    @Test
    void keepsEveryHopOfSeveralXForwardedForFields() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .set("Host", "api.example.com")
                .add("X-Forwarded-For", "1.2.4.8")
                .add("X-Forwarded-For", "9.9.9.9");

        ForwardedHeaders.forUpstream(headers, PEER, true, false, "id-3", "CN", "beijing", false);

        assertThat(headers.getAll("X-Forwarded-For")).containsExactly("1.2.4.8,9.9.9.9, 10.0.0.1");
    }

    @Test
    void fromAnUntrustedPeerReplacesWhatTheClientClaims() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .set("Host", "api.example.com")
                .set("X-Forwarded-For", "6.6.6.6")
                .set("X-Forwarded-Proto", "https")
                .set("X-Forwarded-Host", "evil.example")
                .set("Forwarded", "for=6.6.6.6")
                .set("X-Homeport-Region", "us");

        ForwardedHeaders.forUpstream(headers, PEER, false, false, "id-2", null, "beijing", false);

        assertThat(headers.get("X-Forwarded-For")).isEqualTo("10.0.0.1");
        assertThat(headers.get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(headers.get("X-Forwarded-Host")).isEqualTo("api.example.com");
        assertThat(headers.contains("Forwarded")).isFalse();
        assertThat(headers.get("X-Homeport-Country")).isEqualTo(ForwardedHeaders.UNKNOWN_COUNTRY);
        assertThat(headers.getAll("X-Homeport-Region")).containsExactly("beijing");
    }

    @Test
    void removesHopByHopHeadersIncludingThoseNamedByConnection() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-One")
                .add("Connection", "X-Two")
                .set("X-One", "1").set("X-Two", "2").set("X-Three", "3")
                .set("Keep-Alive", "timeout=5").set("Proxy-Connection", "keep-alive").set("TE", "trailers")
                .set("Trailer", "X").set("Transfer-Encoding", "chunked").set("Upgrade", "h2c")
                .set("Proxy-Authorization", "Basic x").set("Proxy-Authenticate", "Basic");

        ForwardedHeaders.stripHopByHop(headers);

        assertThat(headers.names()).containsExactly("X-Three");
    }

    @Test
    void keepsTheUpgradeOfAWebSocketHandshakeAndOnlyThat() {
        HttpHeaders webSocket = new DefaultHttpHeaders()
                .set("Upgrade", "WebSocket").set("Connection", "keep-alive, Upgrade").set("Keep-Alive", "timeout=5")
                .set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").set("Sec-WebSocket-Version", "13");
        HttpHeaders h2c = new DefaultHttpHeaders().set("Upgrade", "h2c").set("Connection", "Upgrade, HTTP2-Settings")
                .set("HTTP2-Settings", "AAMAAABkAAQAoAAAAAIAAAAA");

        ForwardedHeaders.forUpstream(webSocket, PEER, false, false, "id-1", "CN", "beijing", false);
        ForwardedHeaders.forUpstream(h2c, PEER, false, false, "id-2", "CN", "beijing", false);

        assertThat(webSocket.get("Upgrade")).isEqualTo("websocket");
        assertThat(webSocket.get("Connection")).isEqualTo("upgrade");
        assertThat(webSocket.contains("Keep-Alive")).isFalse();
        assertThat(webSocket.get("Sec-WebSocket-Key")).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
        assertThat(h2c.contains("Upgrade")).isFalse();
        assertThat(h2c.contains("Connection")).isFalse();
        assertThat(h2c.contains("HTTP2-Settings")).isFalse();
    }

    @Test
    void keepsASaneRequestIdAndReplacesAnInsaneOne() {
        assertThat(ForwardedHeaders.requestId(new DefaultHttpHeaders().set("X-Request-Id", "abc-123"))).isEqualTo("abc-123");
        assertThat(ForwardedHeaders.requestId(new DefaultHttpHeaders().set("X-Request-Id", "has space"))).matches("[0-9a-f]{32}");
        assertThat(ForwardedHeaders.requestId(new DefaultHttpHeaders().set("X-Request-Id", "x".repeat(200)))).matches("[0-9a-f]{32}");
        assertThat(ForwardedHeaders.requestId(new DefaultHttpHeaders())).matches("[0-9a-f]{32}");
    }

    @Test
    void aConnectionHeaderCannotRemoveTheMessageFraming() {
        // Regression: "Connection: Content-Length" must not strip the length and turn the body into a second request.
        HttpHeaders headers = new DefaultHttpHeaders()
                .set("Host", "a")
                .set("Content-Length", "60")
                .set("Connection", "keep-alive, Content-Length, Host, X-One")
                .set("X-One", "1");

        ForwardedHeaders.stripHopByHop(headers);

        assertThat(headers.get("Content-Length")).isEqualTo("60");
        assertThat(headers.get("Host")).isEqualTo("a");
        assertThat(headers.contains("X-One")).isFalse();
    }

    @Test
    void aPlainConnectionHeaderDoesNotHideALaterOneThatNamesHeaders() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "keep-alive").add("Connection", "close").add("Connection", "X-Secret")
                .set("X-Secret", "s").set("X-Kept", "k");

        ForwardedHeaders.stripHopByHop(headers);

        assertThat(headers.names()).containsExactly("X-Kept");
    }
}
