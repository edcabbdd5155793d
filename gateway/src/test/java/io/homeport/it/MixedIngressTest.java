package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.config.GatewayConfig;
import io.homeport.net.Cidr;
import io.homeport.net.HostAndPort;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust per listener, as a mixed ingress has it: the global client_ip trusts loopback (the test's
 * CDN), a listener of its own trusts no proxy, and PROXY protocol listeners take the header only
 * from their balancers.
 */
class MixedIngressTest {

    @TempDir
    Path dir;

    private static final HostAndPort ANY_PORT = new HostAndPort("127.0.0.1", 0);

    @Test
    void eachListenerTrustsItsOwnProxies() throws Exception {
        List<GatewayConfig.Listener> more = List.of(
                // [1] direct clients: nobody's X-Forwarded-For is believed
                new GatewayConfig.Listener(ANY_PORT, Optional.empty(), false, Optional.of(List.of()), List.of()),
                // [2] behind a balancer on loopback: its PROXY header is taken
                new GatewayConfig.Listener(ANY_PORT, Optional.empty(), true, Optional.empty(),
                        List.of(Cidr.parse("127.0.0.0/8").orElseThrow())),
                // [3] a PROXY listener whose balancers are elsewhere: a loopback peer is refused
                new GatewayConfig.Listener(ANY_PORT, Optional.empty(), true, Optional.empty(),
                        List.of(Cidr.parse("192.0.2.0/24").orElseThrow())));
        try (TestGateway gateway = new TestGateway(dir, TestGateway.Extras.withListeners(more))) {
            int cdn = gateway.homeport.proxyAddresses().get(0).getPort();
            int direct = gateway.homeport.proxyAddresses().get(1).getPort();
            int balanced = gateway.homeport.proxyAddresses().get(2).getPort();
            int elsewhere = gateway.homeport.proxyAddresses().get(3).getPort();

            try (RawHttp raw = new RawHttp(cdn)) {
                raw.send("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n\r\n");
                assertThat(raw.read().header("X-Homeport-Region")).as("the CDN listener believes the CDN").isEqualTo("beijing");
            }
            try (RawHttp raw = new RawHttp(direct)) {
                raw.send("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.4.8\r\n\r\n");
                assertThat(raw.read().header("X-Homeport-Region")).as("the direct listener believes nobody: 127.0.0.1 has no country")
                        .isEqualTo("us");
            }
            assertThat(gateway.us.last().header("X-Forwarded-For")).isEqualTo("127.0.0.1");
            try (RawHttp raw = new RawHttp(balanced)) {
                raw.send(ProxyProtocolTest.v1("165.21.83.88") + "GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(raw.read().header("X-Homeport-Region")).isEqualTo("singapore");
            }
            try (RawHttp raw = new RawHttp(elsewhere)) {
                raw.send(ProxyProtocolTest.v1("1.2.4.8") + "GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(raw.isClosedByServer()).as("a PROXY header from a peer that is not a trusted balancer").isTrue();
            }
            assertThat(gateway.beijing.received).hasSize(1);
            assertThat(gateway.homeport.metrics().scrape())
                    .contains("homeport_client_ip_source_total{source=\"proxy_protocol\"} 1.0")
                    .contains("homeport_client_ip_source_total{source=\"x_forwarded_for\"} 1.0")
                    .contains("homeport_client_ip_source_total{source=\"socket\"} 1.0");
        }
    }
}
