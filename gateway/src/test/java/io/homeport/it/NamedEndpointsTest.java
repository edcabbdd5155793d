package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.config.GatewayConfig;
import io.homeport.net.HostAndPort;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Endpoints named by DNS, answered by a real PowerDNS on loopback: the gateway resolves a name
 * without blocking its event loops, uses every address the name has, and follows a changed answer
 * once its TTL has passed.
 */
class NamedEndpointsTest {

    @TempDir
    Path directory;

    @Test
    void aNamedEndpointIsResolvedUsedAtEveryAddressAndFollowedWhenItsAnswerChanges() throws Exception {
        int port = freePort();
        Path dns = Files.createDirectories(directory.resolve("dns"));
        try (TestBackend first = new TestBackend("us", "127.0.0.11", port);
                TestBackend second = new TestBackend("us", "127.0.0.12", port);
                PowerDns server = new PowerDns(dns, "homeport.test", Map.of("api.us", List.of("127.0.0.11", "127.0.0.12")), 1);
                TestGateway gateway = new TestGateway(Files.createDirectories(directory.resolve("gateway")),
                        TestGateway.Extras.withNamedEndpoints(Map.of("us", "http://api.us.homeport.test:" + port),
                                new GatewayConfig.Resolver(List.of(new HostAndPort("127.0.0.1", server.port())))))) {
            // The backend closes each connection after its answer: every request connects anew, to one of
            // the name's addresses at random.
            for (int i = 0; i < 40 && (first.received.isEmpty() || second.received.isEmpty()); i++) {
                assertThat(gateway.get("/once", "8.8.8.8").statusCode()).isEqualTo(200);
            }
            assertThat(first.received).as("the name's first address serves (second: %d)", second.received.size()).isNotEmpty();
            assertThat(second.received).as("and its second").isNotEmpty();

            // The name now has one address; once the TTL (1 s) has passed, only it is connected to.
            server.update(Map.of("api.us", List.of("127.0.0.12")), 1, 2);
            Thread.sleep(2_500);
            first.close(); // its pooled connections die with it
            int before = second.received.size();
            for (int i = 0; i < 20; i++) {
                assertThat(gateway.get("/once", "8.8.8.8").statusCode()).as("request %d after the change", i).isEqualTo(200);
            }
            assertThat(second.received.size() - before).isEqualTo(20);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.11"))) {
            return socket.getLocalPort();
        }
    }
}
