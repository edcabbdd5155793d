package io.homeport.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.homeport.residency.MigrationBucket;
import io.homeport.rules.Route;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.TestFiles;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RoutingSnapshotTest {

    static final String RULES = """
            version: 1
            regions:
              beijing:   {endpoints: ["http://10.1.0.10:8080"], fail_over_to: []}
              singapore: {endpoints: ["http://10.2.0.10:8080"], fail_over_to: [us]}
              us:        {endpoints: ["http://10.3.0.10:8080", "http://10.3.0.11:8080"], fail_over_to: [singapore]}
            residency:
              default_region: us
              countries: {CN: beijing, SG: singapore, IN: us}
              migrations:
                - {name: india-phase-1, countries: [IN], to: singapore, percent: 25}
              users:
                file: users.csv
            routes:
              - {name: api, host: api.example.com, path_prefix: /api/}
              - {name: tenants, host: "*.tenants.example.com"}
              - {name: static, path_prefix: /static/}
            """;

    static final int INDIA_BASIS_POINTS = 2_500;

    /** Public addresses (documentation ranges are non-public, so real-looking ones are used). */
    static final String CN_IP = "1.2.4.8";
    static final String SG_IP = "101.0.0.1";
    static final String IN_IP = "49.36.0.1";
    static final String IN_IPV6 = "2405:200::1";
    static final String US_IP = "8.8.8.8"; // a country with no mapping
    static final String NO_COUNTRY_IP = "9.9.9.9";
    static final String FAILED_IP = "4.4.4.4";
    static final String UNKNOWN_IP = "3.3.3.3";

    /** Users whose buckets fall on either side of india-phase-1's 25%, found rather than hard-coded. */
    static final String MOVED_USER = firstUser(bucket -> bucket < INDIA_BASIS_POINTS);
    static final String STAYING_USER = firstUser(bucket -> bucket >= INDIA_BASIS_POINTS);

    @TempDir
    Path dir;

    FakeGeo geo;
    RoutingSnapshot snapshot;

    @BeforeEach
    void setUp() {
        TestFiles.write(dir, "users.csv", "user_id,region\npinned-bj,beijing\npinned-sg,singapore\n");
        RoutingRules rules = TestFiles.loadValid(dir, "rules.yaml", RULES);
        geo = FakeGeo.of(Map.of(CN_IP, "CN", SG_IP, "SG", IN_IP, "IN", IN_IPV6, "IN", US_IP, "US"))
                .answer(NO_COUNTRY_IP, CountryLookup.noCountry("9.9.9.0/24"))
                .answer(FAILED_IP, CountryLookup.FAILED);
        snapshot = new RoutingSnapshot(rules, geo);
    }

    private static String firstUser(java.util.function.IntPredicate bucket) {
        return IntStream.range(0, 10_000).mapToObj(i -> "user-" + i)
                .filter(id -> bucket.test(MigrationBucket.of(id))).findFirst().orElseThrow();
    }

    static InetAddress ip(String literal) {
        return IpAddresses.parseLiteral(literal).orElseThrow();
    }

    static RoutingRequest request(String ip, String user) {
        return new RoutingRequest(ip(ip), user, null, null);
    }

    static Stream<Arguments> decisions() {
        return Stream.of(
                // name, ip, user, region, reason, country, migration
                arguments("pin beats migration", IN_IP, "pinned-bj", "beijing", Reason.PIN, "IN", null),
                arguments("pin beats country", CN_IP, "pinned-sg", "singapore", Reason.PIN, "CN", null),
                arguments("pin beats default", "10.0.0.1", "pinned-sg", "singapore", Reason.PIN, null, null),
                arguments("pin beats an unmapped country", US_IP, "pinned-bj", "beijing", Reason.PIN, "US", null),
                arguments("migration beats country", IN_IP, MOVED_USER, "singapore", Reason.MIGRATION, "IN", "india-phase-1"),
                arguments("migration over IPv6", IN_IPV6, MOVED_USER, "singapore", Reason.MIGRATION, "IN", "india-phase-1"),
                arguments("outside the migration share: country", IN_IP, STAYING_USER, "us", Reason.COUNTRY, "IN", null),
                arguments("unpinned user: country", CN_IP, "someone-else", "beijing", Reason.COUNTRY, "CN", null),
                arguments("anonymous: country", SG_IP, null, "singapore", Reason.COUNTRY, "SG", null),
                arguments("country without mapping: default", US_IP, null, "us", Reason.DEFAULT, "US", null),
                arguments("migration does not apply to other countries", CN_IP, MOVED_USER, "beijing", Reason.COUNTRY, "CN", null),
                arguments("unknown address: default", UNKNOWN_IP, null, "us", Reason.DEFAULT, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void decidesInOrderPinMigrationCountryDefault(
            String name, String ip, String user, String region, Reason reason, String country, String migration) {
        Decision decision = snapshot.decide(request(ip, user));

        assertThat(decision.region()).as("region").isEqualTo(region);
        assertThat(decision.reason()).as("reason").isEqualTo(reason);
        assertThat(decision.country()).as("country").isEqualTo(country);
        assertThat(decision.migration()).as("migration").isEqualTo(migration);
    }

    @ParameterizedTest(name = "{0} is not looked up")
    @ValueSource(strings = {
        "10.1.2.3", "172.16.5.4", "192.168.0.10", "127.0.0.1", "169.254.1.1", "0.0.0.0", "100.64.0.1",
        "::1", "fc00::1", "fd12:3456::1", "fe80::1", "::"})
    void nonPublicAddressesAreNeverLookedUpAndGoToDefault(String address) {
        // Even if the database had an answer, it must not be asked.
        geo.answer(address, CountryLookup.found("CN", null));

        Decision decision = snapshot.decide(request(address, null));
        Explanation explanation = snapshot.explain(request(address, null));

        assertThat(geo.calls).isEmpty();
        assertThat(decision.region()).isEqualTo("us");
        assertThat(decision.reason()).isEqualTo(Reason.DEFAULT);
        assertThat(decision.country()).isNull();
        assertThat(explanation.geo()).isEqualTo(CountryLookup.NON_PUBLIC);
    }

    @ParameterizedTest(name = "{1} goes to the default region")
    @CsvSource({NO_COUNTRY_IP + ", NO_COUNTRY", UNKNOWN_IP + ", NOT_FOUND"})
    void lookupsWithoutACountryGoToDefault(String address, CountryLookup.Outcome outcome) {
        Decision decision = snapshot.decide(request(address, "someone"));

        assertThat(geo.calls).containsExactly(ip(address));
        assertThat(snapshot.explain(request(address, "someone")).geo().outcome()).isEqualTo(outcome);
        assertThat(decision.region()).isEqualTo("us");
        assertThat(decision.reason()).isEqualTo(Reason.DEFAULT);
        assertThat(decision.country()).isNull();
    }

    @Test
    void aFailedLookupIsRefusedByDefaultNeverGuessed() {
        Decision decision = snapshot.decide(request(FAILED_IP, "someone"));
        assertThat(decision.refused()).isTrue();
        assertThat(decision.region()).isNull();
        assertThat(decision.reason()).isEqualTo(Reason.LOOKUP_ERROR);
        assertThat(snapshot.decideIpv4(IpAddresses.bitsOf((java.net.Inet4Address) ip(FAILED_IP)), "someone", null, "/"))
                .isEqualTo(decision);
        Decision api = snapshot.decide(new RoutingRequest(ip(FAILED_IP), null, "api.example.com", "/api/x"));
        assertThat(api.route().name()).isEqualTo("api");
        assertThat(api.refused()).isTrue();

        Explanation explanation = snapshot.explain(request(FAILED_IP, "someone"));
        assertThat(explanation.decision()).isEqualTo(decision);
        assertThat(explanation.candidateRegions()).isEmpty();
        assertThat(explanation.steps()).contains("no country: the GeoIP lookup failed",
                "residency.on_lookup_error is reject: 503, no region is guessed");
    }

    @Test
    void aFailedLookupStillHonoursAPin() {
        Decision decision = snapshot.decide(request(FAILED_IP, "pinned-sg"));
        assertThat(decision.region()).isEqualTo("singapore");
        assertThat(decision.reason()).isEqualTo(Reason.PIN);
    }

    @Test
    void aFailedLookupGoesToTheDefaultRegionWhenTheRulesSaySo() {
        RoutingRules rules = TestFiles.loadValid(dir, "default.yaml",
                RULES.replace("  default_region: us\n", "  default_region: us\n  on_lookup_error: default_region\n"));
        assertThat(rules.residency().onLookupError()).isEqualTo(io.homeport.rules.Residency.OnLookupError.DEFAULT_REGION);
        RoutingSnapshot lenient = new RoutingSnapshot(rules, geo);
        Decision decision = lenient.decide(request(FAILED_IP, "someone"));
        assertThat(decision.region()).isEqualTo("us");
        assertThat(decision.reason()).isEqualTo(Reason.LOOKUP_ERROR);
        assertThat(decision.refused()).isFalse();
        assertThat(lenient.explain(request(FAILED_IP, "someone")).steps())
                .contains("residency.on_lookup_error is default_region: default_region us");
    }

    @Test
    void aKnownCountryCanBePassedInWithoutALookup() {
        Decision decision = snapshot.decide(request(UNKNOWN_IP, null), CountryLookup.found("CN", null));

        assertThat(geo.calls).isEmpty();
        assertThat(decision.region()).isEqualTo("beijing");
    }

    @Test
    void migrationMovesAUserExactlyWhenTheirBucketIsBelowTheShare() {
        int moved = 0;
        for (int i = 0; i < 2_000; i++) {
            String user = "member-" + i;
            boolean expectMoved = MigrationBucket.of(user) < INDIA_BASIS_POINTS;

            Decision decision = snapshot.decide(request(IN_IP, user));

            assertThat(decision.region()).as(user).isEqualTo(expectMoved ? "singapore" : "us");
            assertThat(decision.reason()).as(user).isEqualTo(expectMoved ? Reason.MIGRATION : Reason.COUNTRY);
            moved += expectMoved ? 1 : 0;
        }
        assertThat(moved).as("both sides of the share are exercised").isBetween(300, 700);
    }

    @Test
    void anonymousRequestsAreBucketedByClientAddress() {
        // Every public address is in India here; only the address's bucket decides.
        RoutingSnapshot india = new RoutingSnapshot(snapshot.rules(), FakeGeo.always(a -> CountryLookup.found("IN", null)));
        Random random = new Random(11);
        int checked = 0;
        int moved = 0;
        while (checked < 2_000) {
            byte[] bytes = new byte[random.nextBoolean() ? 4 : 16];
            random.nextBytes(bytes);
            InetAddress address = inet(bytes);
            if (IpAddresses.isNonPublic(address)) {
                continue;
            }
            int bucket = MigrationBucket.of(address);
            boolean expectMoved = bucket < INDIA_BASIS_POINTS;
            RoutingRequest request = new RoutingRequest(address, null, null, null);

            assertThat(india.decide(request).region()).as("%s", address).isEqualTo(expectMoved ? "singapore" : "us");
            assertThat(india.explain(request).bucket()).isEqualTo(bucket);
            checked++;
            moved += expectMoved ? 1 : 0;
        }
        assertThat(moved).isBetween(300, 700);
    }

    @Test
    void theSameAnonymousClientAlwaysGetsTheSameDecision() {
        RoutingRequest request = request(IN_IP, null);
        Decision first = snapshot.decide(request);
        for (int i = 0; i < 100; i++) {
            assertThat(snapshot.decide(request(IN_IP, null))).isEqualTo(first);
        }
    }

    @ParameterizedTest(name = "host {0}, path {1} -> {2}")
    @CsvSource(nullValues = "NULL", value = {
        "api.example.com,         /api/v1/users, api",
        "API.Example.COM,         /api/,         api",     // host matching ignores case
        "api.example.com,         /apix,         default", // the prefix is a string prefix: /api/ needs the slash
        "api.example.com,         /static/a.js,  static",  // first matching route wins, routes without host match any
        "a.tenants.example.com,   /,             tenants",
        "x.y.tenants.example.com, /anything,     tenants",
        "tenants.example.com,     /,             default", // *.suffix needs a subdomain
        "eviltenants.example.com, /,             default",
        "NULL,                    /static/x,     static",
        "NULL,                    NULL,          default", // a null path is "/"
        "other.example.org,       /,             default"})
    void matchesRoutesByHostAndPathPrefix(String host, String path, String route) {
        Decision decision = snapshot.decide(new RoutingRequest(ip(CN_IP), null, host, path));

        assertThat(decision.route().name()).isEqualTo(route);
        assertThat(snapshot.rules().routeFor(host, path).name()).isEqualTo(route);
        if (route.equals("default")) {
            assertThat(decision.route()).isSameAs(Route.DEFAULT);
        }
    }

    @Nested
    class Explain {

        @Test
        void pinIsNamedAndCandidatesAreHomePlusFailOver() {
            Explanation explanation = snapshot.explain(new RoutingRequest(ip(CN_IP), "pinned-bj", "api.example.com", "/api/x"));

            assertThat(explanation.decision().reason()).isEqualTo(Reason.PIN);
            assertThat(explanation.steps()).first().asString().isEqualTo("client address " + CN_IP);
            assertThat(explanation.steps()).anySatisfy(s -> assertThat(s).contains("route api"));
            assertThat(explanation.steps()).anySatisfy(s -> assertThat(s).contains("country CN from fake geo"));
            assertThat(explanation.steps()).anySatisfy(s -> assertThat(s).contains("user pinned-bj is pinned to beijing in users.csv"));
            // beijing has fail_over_to: [] and never leaves the region.
            assertThat(explanation.candidateRegions()).containsExactly("beijing");
            assertThat(explanation.steps()).last().asString().contains("never fails over");
            assertThat(explanation.bucket()).isEqualTo(-1);
            assertThat(explanation.geoSource()).isEqualTo("fake geo");
        }

        @Test
        void migrationNamesTheBucketAndTheShare() {
            Explanation explanation = snapshot.explain(request(IN_IP, MOVED_USER));

            assertThat(explanation.decision().reason()).isEqualTo(Reason.MIGRATION);
            assertThat(explanation.bucket()).isEqualTo(MigrationBucket.of(MOVED_USER));
            assertThat(explanation.steps()).anySatisfy(s -> assertThat(s)
                    .contains("user " + MOVED_USER + " has no pin")).anySatisfy(s -> assertThat(s)
                    .contains("migration india-phase-1 moves buckets below 2500 (25.0%) of IN to singapore")
                    .contains("bucket is " + MigrationBucket.of(MOVED_USER) + " (from the user id): moved"));
            assertThat(explanation.candidateRegions()).containsExactly("singapore", "us");
        }

        @Test
        void notMovedThenCountry() {
            Explanation explanation = snapshot.explain(request(IN_IP, STAYING_USER));

            assertThat(explanation.steps()).anySatisfy(s -> assertThat(s).contains("india-phase-1").endsWith("not moved"))
                    .anySatisfy(s -> assertThat(s).isEqualTo("country IN maps to us"));
            assertThat(explanation.candidateRegions()).containsExactly("us", "singapore");
        }

        @Test
        void anonymousMigrationBucketsByAddress() {
            Explanation explanation = snapshot.explain(request(IN_IP, null));

            assertThat(explanation.bucket()).isEqualTo(MigrationBucket.of(ip(IN_IP)));
            assertThat(explanation.steps()).anySatisfy(s -> assertThat(s).contains("(from the client address)"));
        }

        @Test
        void defaultIsExplained() {
            Explanation explanation = snapshot.explain(request("192.168.1.1", null));

            assertThat(explanation.steps()).anySatisfy(s -> assertThat(s).contains("not looked up"))
                    .anySatisfy(s -> assertThat(s).isEqualTo("default_region us"));
            assertThat(explanation.candidateRegions()).containsExactly("us", "singapore");
            assertThat(explanation.steps()).last().asString().contains("fails over to [singapore]");
        }

        @Test
        void unmappedCountryIsExplained() {
            Explanation explanation = snapshot.explain(request(US_IP, null));

            assertThat(explanation.steps()).anySatisfy(s -> assertThat(s).isEqualTo("country US has no mapping in residency.countries"));
            assertThat(explanation.decision().reason()).isEqualTo(Reason.DEFAULT);
        }
    }

    @Test
    void decideAndExplainAgreeOnRandomRequests() {
        // A deterministic "database" that spreads addresses over every outcome.
        List<CountryLookup> outcomes = List.of(
                CountryLookup.found("CN", null), CountryLookup.found("SG", null), CountryLookup.found("IN", null),
                CountryLookup.found("IN", null), CountryLookup.found("JP", null), CountryLookup.noCountry(null),
                CountryLookup.NOT_FOUND, CountryLookup.FAILED);
        RoutingSnapshot random = new RoutingSnapshot(snapshot.rules(),
                FakeGeo.always(a -> outcomes.get(Math.floorMod(a.hashCode(), outcomes.size()))));
        List<String> users = List.of("pinned-bj", "pinned-sg", MOVED_USER, STAYING_USER);
        List<String> hosts = List.of("api.example.com", "a.tenants.example.com", "www.example.com");
        List<String> paths = List.of("/", "/api/x", "/static/y");
        Random rnd = new Random(99);

        for (int i = 0; i < 5_000; i++) {
            byte[] bytes = new byte[rnd.nextInt(4) == 0 ? 16 : 4];
            rnd.nextBytes(bytes);
            if (rnd.nextInt(5) == 0) {
                bytes[0] = 10; // some private addresses
            }
            String user = switch (rnd.nextInt(3)) {
                case 0 -> null;
                case 1 -> users.get(rnd.nextInt(users.size()));
                default -> "u-" + rnd.nextInt(1_000_000);
            };
            RoutingRequest request = new RoutingRequest(inet(bytes), user,
                    rnd.nextBoolean() ? null : hosts.get(rnd.nextInt(hosts.size())),
                    rnd.nextBoolean() ? null : paths.get(rnd.nextInt(paths.size())));

            Decision decision = random.decide(request);
            Explanation explanation = random.explain(request);

            // The allocation-free forms decide as the general one.
            if (request.clientAddress() instanceof java.net.Inet6Address v6) {
                assertThat(random.decideIpv6(IpAddresses.high(v6), IpAddresses.low(v6), user, request.host(), request.path()))
                        .as("IPv6 bits %s", request).isEqualTo(decision);
            } else {
                assertThat(random.decideIpv4(IpAddresses.bitsOf((java.net.Inet4Address) request.clientAddress()), user,
                        request.host(), request.path())).as("IPv4 bits %s", request).isEqualTo(decision);
            }

            assertThat(explanation.decision()).as("%s", request).isEqualTo(decision);
            // What a traffic sample keeps of the request decides it the same way.
            CountryLookup lookup = IpAddresses.isNonPublic(request.clientAddress()) ? CountryLookup.NON_PUBLIC
                    : random.geo().lookup(request.clientAddress());
            Decision sampled = random.decideSample(lookup, user == null ? 0 : io.homeport.residency.StableHash.of(user),
                    user != null ? MigrationBucket.of(user) : MigrationBucket.of(request.clientAddress()));
            assertThat(sampled.region()).as("sampled %s", request).isEqualTo(decision.region());
            assertThat(sampled.reason()).as("sampled %s", request).isEqualTo(decision.reason());
            if (decision.refused()) {
                assertThat(explanation.candidateRegions()).isEmpty(); // a failed lookup, refused
            } else {
                assertThat(explanation.candidateRegions().get(0)).isEqualTo(decision.region());
            }
        }
    }

    static InetAddress inet(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
