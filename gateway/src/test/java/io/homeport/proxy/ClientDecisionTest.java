package io.homeport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.geoip.CachingGeoLookup;
import io.homeport.geoip.GeoIpDatabase;
import io.homeport.geoip.GeoIpFixtures;
import io.homeport.geoip.MmdbWriter;
import io.homeport.net.Cidr;
import io.homeport.routing.Decision;
import io.homeport.routing.IpAddresses;
import io.homeport.routing.RoutingRequest;
import io.homeport.routing.RoutingSnapshot;
import io.homeport.rules.RulesLoader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way {@link ClientDecision} decides (the IPv4 path, the 128-bit path, the memo on a miss
 * and on a hit, the general path) gives what the general path gives: the same client, the same
 * source, the same decision. Real GeoIP databases, and a second one that moves a market, so that a
 * remembered country can be seen to follow the database.
 */
class ClientDecisionTest {

    private static final String RULES = """
            version: 1
            regions:
              beijing: {endpoints: ["http://127.0.0.1:9101"], fail_over_to: []}
              singapore: {endpoints: ["http://127.0.0.1:9102"], fail_over_to: [us]}
              us: {endpoints: ["http://127.0.0.1:9103"], fail_over_to: [singapore]}
            residency:
              default_region: us
              countries: {CN: beijing, SG: singapore, HK: singapore, MY: singapore}
              migrations:
                - {name: india, countries: [IN], to: singapore, percent: 40}
              users: {file: users.csv}
            """;

    @TempDir
    Path dir;

    private final ClientAddressResolver resolver = new ClientAddressResolver(List.of(Cidr.parse("10.0.0.0/8").orElseThrow(),
            Cidr.parse("127.0.0.0/8").orElseThrow(), Cidr.parse("::1/128").orElseThrow(),
            Cidr.parse("fd00::/8").orElseThrow()));
    private final ClientDecision.Client client = new ClientDecision.Client();

    private RoutingSnapshot snapshot(GeoIpDatabase database) throws Exception {
        Files.writeString(dir.resolve("users.csv"), "user_id,region\npinned-cn,us\npinned-us,beijing\n");
        Path rules = Files.writeString(dir.resolve("rules.yaml"), RULES);
        return new RoutingSnapshot(new RulesLoader().load(rules), new CachingGeoLookup(database, 10_000));
    }

    /** Headers of one to four hops: real clients of every sample country, trusted hops, and what the fast paths leave. */
    private static List<String> headers(Random random, int count) {
        List<String> hops = new ArrayList<>();
        for (GeoIpFixtures.Sample sample : GeoIpFixtures.samples()) {
            hops.add(sample.ipv4());
            hops.add(sample.ipv6());
            hops.add(sample.ipv6().toUpperCase());
            hops.add("::ffff:" + sample.ipv4());
            hops.add(" " + sample.ipv6() + " ");
        }
        hops.addAll(List.of("10.1.2.3", "127.0.0.1", "::1", "fd12:3456::1", "192.168.0.7", "2409:4000:0:0:0:0:0:1",
                "[2400:da00::6666]:443", "1.2.4.8:80", "unknown", "garbage", "", "2001:db8:::1", "2409:4000::1%eth0"));
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder header = new StringBuilder();
            int length = 1 + random.nextInt(random.nextBoolean() ? 1 : 4);
            for (int j = 0; j < length; j++) {
                header.append(j == 0 ? "" : random.nextBoolean() ? ", " : ",").append(hops.get(random.nextInt(hops.size())));
            }
            headers.add(header.toString());
        }
        return headers;
    }

    private void assertAgrees(RoutingSnapshot snapshot, InetAddress peer, String xff, String user) {
        ClientAddressResolver.Resolved resolved = resolver.resolve(peer, ClientIp.SOCKET, xff, null);
        Decision expected = snapshot.decide(new RoutingRequest(resolved.address(), user, "api.example.com", "/v1"));
        Decision decision = ClientDecision.decide(snapshot, resolver, peer, ClientIp.SOCKET, xff, null, user,
                "api.example.com", "/v1", client);
        String what = "peer " + peer + ", X-Forwarded-For [" + xff + "], user " + user;
        assertThat(decision).as(what).isEqualTo(expected);
        assertThat(client.address(peer)).as(what).isEqualTo(resolved.address());
        assertThat(client.source(ClientIp.SOCKET)).as(what).isEqualTo(resolved.source());
    }

    @Test
    void everyPathDecidesAsTheGeneralPathDoes() throws Exception {
        Random random = new Random(17);
        List<String> headers = headers(random, 3_000);
        List<InetAddress> peers = List.of(IpAddresses.parseLiteral("10.0.0.1").orElseThrow(),
                IpAddresses.parseLiteral("127.0.0.1").orElseThrow(), IpAddresses.parseLiteral("::1").orElseThrow(),
                IpAddresses.parseLiteral("203.0.113.5").orElseThrow(), IpAddresses.parseLiteral("2400:da00::1").orElseThrow());
        String[] users = {null, "pinned-cn", "pinned-us", "someone", "acct-7"};
        try (GeoIpDatabase database = GeoIpDatabase.open(GeoIpFixtures.GEOLITE2_COUNTRY)) {
            RoutingSnapshot snapshot = snapshot(database);
            for (int round = 0; round < 3; round++) { // the first sees each value fresh, the others from the memo
                for (String xff : headers) {
                    InetAddress peer = peers.get(random.nextInt(peers.size()));
                    assertAgrees(snapshot, peer, random.nextInt(20) == 0 ? null : xff, users[random.nextInt(users.length)]);
                }
            }
        }
    }

    @Test
    void aRememberedCountryFollowsTheDatabaseThatServes() throws Exception {
        Path moved = new MmdbWriter().addAll(Path.of("geoip-fixtures/test-networks.tsv"), Map.of("CN", "SG", "IN", "US"))
                .write(dir.resolve("moved.mmdb"));
        InetAddress balancer = IpAddresses.parseLiteral("10.0.0.1").orElseThrow();
        List<String> values = List.of("2400:da00::6666", "2409:4000::1, 10.9.9.9", "1.2.4.8, 10.1.1.1",
                "2400:da00:0:0:0:0:0:6666", "1.2.4.8, ::ffff:10.0.0.1");
        try (GeoIpDatabase before = GeoIpDatabase.open(GeoIpFixtures.GEOLITE2_COUNTRY);
                GeoIpDatabase after = GeoIpDatabase.open(moved)) {
            RoutingSnapshot old = snapshot(before);
            RoutingSnapshot next = snapshot(after);
            for (String xff : values) {
                assertThat(ClientDecision.decide(old, resolver, balancer, ClientIp.SOCKET, xff, null, null, "h", "/", client)
                        .country()).as(xff).isIn("CN", "IN");
            }
            for (int round = 0; round < 2; round++) { // back and forth, as event loops may during a reload
                for (RoutingSnapshot snapshot : List.of(next, old, next)) {
                    for (String xff : values) {
                        assertAgrees(snapshot, balancer, xff, null);
                    }
                }
            }
            assertThat(ClientDecision.decide(next, resolver, balancer, ClientIp.SOCKET, values.get(0), null, null, "h", "/",
                    client).region()).as("China moved to Singapore in the new database").isEqualTo("singapore");
        }
    }
}
