package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.geodns.EcsQuery;
import io.homeport.geodns.EdgeTable;
import io.homeport.geodns.PowerDnsProcess;
import io.homeport.netty.Transports;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GeoDNS front for real: PowerDNS with its GeoIP backend, its zone generated from a table of
 * edges, reading the same MMDB fixture the gateway tests use, asked as a resolver asks — with an
 * EDNS Client Subnet from each market's real addresses, and without one.
 */
class GeoDnsTest {

    static final EdgeTable EDGES = new EdgeTable("world.homeport.test", "api", 30, List.of(
            new EdgeTable.Edge("beijing", List.of(address("127.0.10.1"), address("fd00:10::1")), List.of("CN"), false),
            new EdgeTable.Edge("singapore", List.of(address("127.0.10.2"), address("fd00:20::1")),
                    List.of("HK", "TW", "SG", "MY", "IN", "ID"), false),
            new EdgeTable.Edge("us", List.of(address("127.0.10.3"), address("fd00:30::1")), List.of(), true)));

    /** Each market's sample addresses (gateway/geoip-fixtures/sample-addresses.tsv) and its edge. */
    static final Map<String, List<String>> MARKETS = Map.of(
            "beijing", List.of("1.2.4.8", "2400:da00::6666"),
            "singapore", List.of("202.45.84.58", "2404:c800::1", "168.95.1.1", "2001:b000::1", "165.21.83.88",
                    "202.188.0.133", "202.54.1.30", "2409:4000::1", "202.134.0.155"),
            "us", List.of("8.8.8.8", "2001:4860:4860::8888", "200.160.2.3", "193.99.144.80", "10.1.2.3"));

    static EventLoopGroup group;
    static PowerDnsProcess dns;
    static EcsQuery query;

    @BeforeAll
    static void start(@TempDir Path directory) throws Exception {
        OperatorTool.requireInstalled(PowerDnsProcess.BINARY, "Debian packages pdns-server, pdns-backend-geoip");
        if (!PowerDnsProcess.isInstalled()) {
            OperatorTool.requireInstalled(Path.of("/nonexistent/libgeoipbackend.so"), "Debian package pdns-backend-geoip");
        }
        Transports transports = Transports.best();
        group = transports.newGroup(1, "geodns-test");
        dns = PowerDnsProcess.start(directory, EDGES, TestGateway.FIXTURE_DB.toAbsolutePath(), InetAddress.getLoopbackAddress(), 0);
        query = new EcsQuery(transports, group, dns.address());
    }

    @AfterAll
    static void stop() throws Exception {
        if (query != null) {
            query.close();
        }
        if (dns != null) {
            dns.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void everyMarketIsSentToItsEdgeByItsSubnet() throws Exception {
        for (Map.Entry<String, List<String>> market : MARKETS.entrySet()) {
            EdgeTable.Edge edge = EDGES.edges().stream().filter(e -> e.name().equals(market.getKey())).findFirst().orElseThrow();
            for (String phone : market.getValue()) {
                InetAddress subnet = address(phone);
                assertThat(query.resolve(EDGES.serviceName(), subnet, EcsQuery.defaultPrefix(subnet), false, 3_000))
                        .as("A for a phone at %s", phone).containsExactlyElementsOf(edge.ipv4());
                assertThat(query.resolve(EDGES.serviceName(), subnet, EcsQuery.defaultPrefix(subnet), true, 3_000))
                        .as("AAAA for a phone at %s", phone).containsExactlyElementsOf(edge.ipv6());
            }
        }
    }

    @Test
    void withoutAClientSubnetTheResolversAddressDecides() throws Exception {
        // The query comes from 127.0.0.1, which has no country: the default edge.
        assertThat(query.resolve(EDGES.serviceName(), null, 0, false, 3_000)).containsExactlyElementsOf(EDGES.defaultEdge().ipv4());
    }

    @Test
    void theEdgesOwnNamesAnswerAsWell() throws Exception {
        assertThat(query.resolve("beijing.edges.world.homeport.test", address("8.8.8.8"), 24, false, 3_000))
                .containsExactly(address("127.0.10.1"));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
