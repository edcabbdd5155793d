package io.homeport.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class HostAndPortTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            0.0.0.0:8080          | 0.0.0.0     | 8080  | 0.0.0.0:8080
            127.0.0.1:9901        | 127.0.0.1   | 9901  | 127.0.0.1:9901
            localhost:0           | localhost   | 0     | localhost:0
            gateway.internal:443  | gateway.internal | 443 | gateway.internal:443
            :8080                 | 0.0.0.0     | 8080  | 0.0.0.0:8080
            [::]:8080             | ::          | 8080  | [::]:8080
            [::1]:65535           | ::1         | 65535 | [::1]:65535
            [2001:db8::1]:443     | 2001:db8::1 | 443   | [2001:db8::1]:443
            """)
    void parses(String text, String host, int port, String printed) {
        HostAndPort parsed = HostAndPort.parse(text).orElseThrow(() -> new AssertionError("refused: " + text));

        assertThat(parsed).isEqualTo(new HostAndPort(host, port));
        assertThat(parsed.toString()).isEqualTo(printed);
        assertThat(HostAndPort.parse(parsed.toString())).contains(parsed);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"8080", "localhost", "localhost:", "host:http", "host:65536", "host:-1", "host:99999999999",
        "::1:8080", "::", "[::1]", "[::1]:", "1.2.3.4:80:80", "host: 80"})
    void refuses(String text) {
        assertThat(HostAndPort.parse(text)).as(String.valueOf(text)).isEmpty();
    }

    @Test
    void becomesASocketAddress() {
        InetSocketAddress socket = new HostAndPort("127.0.0.1", 9901).toSocketAddress();

        assertThat(socket.getPort()).isEqualTo(9901);
        assertThat(socket.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(new HostAndPort("::1", 0).toSocketAddress().getAddress().isLoopbackAddress()).isTrue();
    }
}
