package io.homeport.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.rules.RoutingRules;
import io.homeport.rules.TestFiles;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins from a store ({@code residency.users.source: redis}): the allocation-free forms decide
 * exactly as the explained path, for pins to a region, for none, for one naming no region of the
 * rules and for one that cannot be read, on strict and lenient countries and routes.
 */
class ExternalPinsDecisionTest {

    static final String RULES = """
            version: 1
            regions:
              beijing:   {endpoints: ["http://10.1.0.10:8080"], fail_over_to: []}
              singapore: {endpoints: ["http://10.2.0.10:8080"], fail_over_to: [us]}
              us:        {endpoints: ["http://10.3.0.10:8080"], fail_over_to: [singapore]}
            residency:
              default_region: us
              countries: {CN: beijing, SG: singapore, IN: us}
              migrations:
                - {name: india-phase-1, countries: [IN], to: singapore, percent: 25}
              users:
                source: redis
                strict: {countries: [CN], routes: [payments]}
            routes:
              - {name: payments, host: pay.example.com}
              - {name: api, host: api.example.com, path_prefix: /api/}
            """;

    @TempDir
    Path dir;

    @Test
    void theFastFormsDecideAsTheExplainedPath() {
        RoutingRules rules = TestFiles.loadValid(dir, "rules.yaml", RULES);
        Map<String, String> store = new HashMap<>();
        Random rnd = new Random(17);
        String[] values = {"beijing", "singapore", "us", "mars", ExternalPins.UNAVAILABLE};
        for (int i = 0; i < 400; i++) {
            String value = values[rnd.nextInt(values.length)];
            // A store hands out fresh strings, never the rules' own instances.
            store.put("u-" + i, value == ExternalPins.UNAVAILABLE ? value : new String(value));
        }
        List<CountryLookup> outcomes = List.of(
                CountryLookup.found("CN", null), CountryLookup.found("SG", null), CountryLookup.found("IN", null),
                CountryLookup.found("JP", null), CountryLookup.noCountry(null), CountryLookup.NOT_FOUND,
                CountryLookup.FAILED);
        RoutingSnapshot snapshot = new RoutingSnapshot(rules,
                FakeGeo.always(a -> outcomes.get(Math.floorMod(a.hashCode(), outcomes.size()))), store::get);
        List<String> hosts = List.of("pay.example.com", "api.example.com", "www.example.com");

        Map<Reason, Integer> seen = new java.util.EnumMap<>(Reason.class);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[rnd.nextInt(3) == 0 ? 16 : 4];
            rnd.nextBytes(bytes);
            if (rnd.nextInt(8) == 0) {
                bytes[0] = 10;
            }
            InetAddress address = RoutingSnapshotTest.inet(bytes);
            String user = rnd.nextInt(6) == 0 ? null : "u-" + rnd.nextInt(500); // some users have no entry: no pin
            String host = rnd.nextBoolean() ? null : hosts.get(rnd.nextInt(hosts.size()));
            String path = rnd.nextBoolean() ? "/api/x" : "/";
            RoutingRequest request = new RoutingRequest(address, user, host, path);

            Decision explained = snapshot.explain(request).decision();
            Decision fast = address instanceof java.net.Inet6Address v6
                    ? snapshot.decideIpv6(IpAddresses.high(v6), IpAddresses.low(v6), user, host, path)
                    : snapshot.decideIpv4(IpAddresses.bitsOf((java.net.Inet4Address) address), user, host, path);
            assertThat(fast).as("%s, pin %s", request, user == null ? "-" : store.get(user)).isEqualTo(explained);
            assertThat(snapshot.decide(request)).isEqualTo(explained);
            seen.merge(explained.reason(), 1, Integer::sum);
        }
        assertThat(seen).as("every kind of decision was exercised")
                .containsKeys(Reason.PIN, Reason.PIN_UNAVAILABLE, Reason.MIGRATION, Reason.COUNTRY, Reason.DEFAULT,
                        Reason.LOOKUP_ERROR);
    }

    @Test
    void aPinToARegionIsServedFromTheTableItself() {
        RoutingRules rules = TestFiles.loadValid(dir, "rules.yaml", RULES);
        RoutingSnapshot snapshot = new RoutingSnapshot(rules, FakeGeo.always(a -> CountryLookup.found("CN", null)),
                user -> new String("singapore"));
        int address = IpAddresses.bitsOf((java.net.Inet4Address) RoutingSnapshotTest.ip("1.2.4.8"));
        Decision first = snapshot.decideIpv4(address, "someone", "api.example.com", "/api/x");
        assertThat(first.region()).isEqualTo("singapore");
        assertThat(first.reason()).isEqualTo(Reason.PIN);
        // Interned: the same decision object for the same route, region, reason and country, whatever string the store gave.
        assertThat(snapshot.decideIpv4(address, "someone-else", "api.example.com", "/api/x")).isSameAs(first);
    }
}
