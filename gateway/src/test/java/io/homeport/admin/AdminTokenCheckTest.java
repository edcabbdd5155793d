package io.homeport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The admin token check alone on an EmbeddedChannel: what it lets through to the endpoints, what it answers 401. */
class AdminTokenCheckTest {

    static final String TOKEN = "s3cret-admin-token-0123456789";

    final EmbeddedChannel channel = new EmbeddedChannel(new AdminTokenCheck(TOKEN));

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "/metrics             | Bearer " + TOKEN,
        "/reload              | bearer " + TOKEN,
        "/config              | BEARER   " + TOKEN,
        "/healthz             | -",
        "/readyz              | -",
        "/healthz?verbose=1   | -",
        "/readyz              | Bearer wrong",
    })
    void letsThrough(String uri, String authorization) {
        FullHttpRequest request = request(uri, authorization);
        channel.writeInbound(request);

        FullHttpRequest passed = channel.readInbound();
        assertThat(passed).isSameAs(request);
        passed.release();
        Object answered = channel.readOutbound();
        assertThat(answered).isNull();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "/metrics           | -",
        "/reload            | Bearer wrong",
        "/config            | Bearer " + TOKEN + "x",
        "/config            | Bearer s3cret-admin-token-012345678",
        "/explain?ip=1.2.3.4 | Basic " + TOKEN,
        "/metrics           | " + TOKEN,
        "/metrics           | Bearer",
        "/metrics?/healthz  | -",
        "/nowhere           | -",
    })
    void answers401WithoutTheToken(String uri, String authorization) {
        channel.writeInbound(request(uri, authorization));

        Object passedOn = channel.readInbound();
        assertThat(passedOn).as("passed on").isNull();
        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status().code()).isEqualTo(401);
        assertThat(response.headers().get("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(response.content().toString(StandardCharsets.UTF_8))
                .contains("\"error\" : \"admin API requires Authorization: Bearer <admin.token>\"");
        response.release();
        assertThat(channel.isOpen()).as("keep-alive").isTrue();
    }

    @Test
    void refusesAnEmptyToken() {
        assertThatThrownBy(() -> new AdminTokenCheck("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPrefixOfTheTokenIsNotTheToken() {
        AdminTokenCheck check = new AdminTokenCheck(TOKEN);
        FullHttpRequest request = request("/metrics", "Bearer " + TOKEN.substring(0, 5));
        assertThat(check.authorized(request)).isFalse();
        request.release();
    }

    private static FullHttpRequest request(String uri, String authorization) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        if (authorization != null) {
            request.headers().set("Authorization", authorization);
        }
        return request;
    }
}
