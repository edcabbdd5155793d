package io.homeport.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RulesLoaderTest {

    @TempDir
    Path dir;

    /** A minimal valid file; error cases edit or extend it so that positions are easy to read off. */
    static final String BASE = """
            version: 1
            regions:
              beijing:
                endpoints: ["http://10.1.0.10:8080"]
              singapore:
                endpoints: ["http://10.2.0.10:8080"]
                fail_over_to: [us]
              us:
                endpoints: ["http://10.3.0.10:8080"]
            residency:
              default_region: us
            """;

    /** {@link #BASE} with {@code target} replaced; fails loudly if the fixture drifts. */
    static String baseWith(String target, String replacement) {
        if (!BASE.contains(target)) {
            throw new IllegalArgumentException("not in BASE: " + target);
        }
        return BASE.replace(target, replacement);
    }

    /** {@link #BASE} with lines appended from line 12 on. */
    static String basePlus(String... lines) {
        return BASE + String.join("\n", lines) + "\n";
    }

    private InvalidRulesException refuse(String yaml) {
        Path file = TestFiles.write(dir, "rules.yaml", yaml);
        InvalidRulesException e = catchThrowableOfType(InvalidRulesException.class, () -> new RulesLoader().load(file));
        assertThat(e).as("expected the file to be refused:%n%s", yaml).isNotNull();
        return e;
    }

    private List<String> problemsOf(String yaml) {
        return refuse(yaml).problems().stream().map(Problem::toString).toList();
    }

    private String located(int line, int column, String message) {
        return dir.resolve("rules.yaml") + ":" + line + ":" + column + ": " + message;
    }

    @Test
    void pinsInRedisNeedNoFileAndMayListStrictCountriesAndRoutes() throws Exception {
        Path file = TestFiles.write(dir, "rules.yaml", basePlus(
                "  users: {source: redis, identity: {header: X-Account}, strict: {countries: [CN], routes: [payments]}}",
                "routes:", "  - {name: payments, path_prefix: /pay/}"));
        UserPins users = new RulesLoader().load(file).residency().users().orElseThrow();
        assertThat(users.source()).isEqualTo(UserPins.Source.REDIS);
        assertThat(users.file()).isNull();
        assertThat(users.identityHeader()).isEqualTo("X-Account");
        assertThat(users.strictCountries()).containsExactly("CN");
        assertThat(users.strictRoutes()).containsExactly("payments");
        assertThat(users.describe()).isEqualTo("Redis");

        assertThat(problemsOf(basePlus("  users: {source: redis, file: users.csv}"))).containsExactly(located(12, 26,
                "residency.users: file and source: redis exclude each other (the pins are in one place: the users file, or Redis)"));
        assertThat(problemsOf(basePlus("  users: {source: mysql}"))).containsExactly(located(12, 19,
                "residency.users.source: \"mysql\" (expected file or redis)"));
        assertThat(problemsOf(basePlus("  users: {source: redis, strict: {countries: [UK]}}"))).singleElement().asString()
                .startsWith(located(12, 47, "residency.users.strict.countries: \"UK\""));
        // A misspelt strict route would silently not be strict.
        assertThat(problemsOf(basePlus("  users: {source: redis, strict: {routes: [paymnets]}}",
                "routes:", "  - {name: payments, path_prefix: /pay/}"))).containsExactly(located(12, 44,
                "residency.users.strict.routes: no route \"paymnets\" (routes: default, payments)"));
    }

    @Nested
    class ValidFile {

        static final String FULL = """
                version: 1
                regions:
                  beijing:
                    endpoints: ["http://10.1.0.10:8080", "https://bj.example.com"]
                    fail_over_to: []
                  singapore:
                    endpoints: ["http://sg.example.com", "http://[::1]:8080"]
                    fail_over_to: [us, beijing]
                  us:
                    endpoints: ["HTTPS://10.3.0.10:8443/"]
                    fail_over_to: [singapore]
                residency:
                  default_region: us
                  countries: {CN: beijing, SG: singapore, MY: singapore, IN: us, NO: us}
                  migrations:
                    - {name: india-phase-1, countries: [IN], to: singapore, percent: 2.5}
                    - {name: malaysia-home, countries: [MY, TH], to: us, percent: 100}
                  users:
                    file: pins/users.csv
                    identity: {header: X-Account-Id}
                routes:
                  - {name: api, host: API.example.com, path_prefix: /api/}
                  - {name: tenants, host: "*.tenants.example.com"}
                tests:
                  - {ip: 1.2.4.8, expect: beijing}
                  - {country: SG, user: u-1001, expect: singapore, expect_reason: pin}
                  - {ip: "2001:db8::1", host: api.example.com, path: /api/x, expect: us}
                """;

        private RoutingRules load(Clock clock) throws Exception {
            // The users file is named relative to the rules file, not to the working directory.
            TestFiles.write(dir, "conf/pins/users.csv", "user_id,region\nu-1001,singapore\nu-2002,beijing\n");
            Path file = TestFiles.write(dir, "conf/rules.yaml", FULL);
            return new RulesLoader(clock).load(file);
        }

        @Test
        void regionsKeepFileOrderWithParsedEndpointsAndFailOver() throws Exception {
            RoutingRules rules = load(Clock.systemUTC());

            assertThat(rules.version()).isEqualTo(1);
            assertThat(rules.regions().keySet()).containsExactly("beijing", "singapore", "us");
            assertThat(rules.region("beijing")).isEqualTo(new Region("beijing",
                    List.of(new Endpoint("http", "10.1.0.10", 8080), new Endpoint("https", "bj.example.com", 443)),
                    List.of()));
            assertThat(rules.region("singapore")).isEqualTo(new Region("singapore",
                    List.of(new Endpoint("http", "sg.example.com", 80), new Endpoint("http", "::1", 8080)),
                    List.of("us", "beijing")));
            // Scheme is case-insensitive and a bare trailing "/" is allowed.
            assertThat(rules.region("us")).isEqualTo(new Region("us",
                    List.of(new Endpoint("https", "10.3.0.10", 8443)), List.of("singapore")));
        }

        @Test
        void endpointsPrintBackAsUrls() throws Exception {
            RoutingRules rules = load(Clock.systemUTC());

            Endpoint ipv6 = rules.region("singapore").endpoints().get(1);
            assertThat(ipv6).hasToString("http://[::1]:8080");
            assertThat(ipv6.uri().getPort()).isEqualTo(8080);
            assertThat(ipv6.tls()).isFalse();
            assertThat(rules.region("us").endpoints().get(0).tls()).isTrue();
            assertThat(rules.region("beijing").endpoints().get(1)).hasToString("https://bj.example.com:443");
        }

        @Test
        void residencyWithCountriesMigrationsAndUsers() throws Exception {
            RoutingRules rules = load(Clock.systemUTC());
            Residency residency = rules.residency();

            assertThat(residency.defaultRegion()).isEqualTo("us");
            assertThat(residency.countries()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("CN", "beijing", "SG", "singapore", "MY", "singapore", "IN", "us", "NO", "us"));
            // percent 2.5 is kept exactly, as basis points.
            assertThat(residency.migrations()).containsExactly(
                    new Migration("india-phase-1", Set.of("IN"), "singapore", 250),
                    new Migration("malaysia-home", Set.of("MY", "TH"), "us", 10_000));
            assertThat(residency.migrations().get(0).percent()).isEqualTo(2.5);
            assertThat(residency.migrationFor("TH")).map(Migration::name).contains("malaysia-home");
            assertThat(residency.migrationFor("CN")).isEmpty();

            UserPins users = residency.users().orElseThrow();
            assertThat(users.file()).isEqualTo(dir.resolve("conf/pins/users.csv").toAbsolutePath());
            assertThat(users.identityHeader()).isEqualTo("X-Account-Id");
            assertThat(users.table().size()).isEqualTo(2);
            assertThat(users.table().regionOf("u-2002")).isEqualTo("beijing");
        }

        @Test
        void routesAndTests() throws Exception {
            RoutingRules rules = load(Clock.systemUTC());

            // Hosts are lower-cased so that matching is case-insensitive; path_prefix defaults to "/".
            assertThat(rules.routes()).containsExactly(
                    new Route("api", Optional.of("api.example.com"), "/api/"),
                    new Route("tenants", Optional.of("*.tenants.example.com"), "/"));
            assertThat(rules.tests()).containsExactly(
                    new RuleTest(25, 5, Optional.of("1.2.4.8"), Optional.empty(), Optional.empty(), Optional.empty(),
                            Optional.empty(), "beijing", Optional.empty()),
                    new RuleTest(26, 5, Optional.empty(), Optional.of("SG"), Optional.of("u-1001"), Optional.empty(),
                            Optional.empty(), "singapore", Optional.of("pin")),
                    new RuleTest(27, 5, Optional.of("2001:db8::1"), Optional.empty(), Optional.empty(),
                            Optional.of("api.example.com"), Optional.of("/api/x"), "us", Optional.empty()));
        }

        @Test
        void sourceRecordsFileHashAndLoadTime() throws Exception {
            Instant now = Instant.parse("2025-01-02T03:04:05Z");
            RoutingRules rules = load(Clock.fixed(now, ZoneOffset.UTC));

            byte[] digest = MessageDigest.getInstance("SHA-256").digest(FULL.getBytes(StandardCharsets.UTF_8));
            assertThat(rules.source().file()).isEqualTo(dir.resolve("conf/rules.yaml"));
            assertThat(rules.source().sha256()).isEqualTo(HexFormat.of().formatHex(digest));
            assertThat(rules.source().loadedAt()).isEqualTo(now);
        }

        @Test
        void optionalSectionsMayBeLeftOut() {
            RoutingRules rules = TestFiles.loadValid(dir, "rules.yaml", BASE);

            assertThat(rules.residency().countries()).isEmpty();
            assertThat(rules.residency().migrations()).isEmpty();
            assertThat(rules.residency().users()).isEmpty();
            assertThat(rules.routes()).isEmpty();
            assertThat(rules.tests()).isEmpty();
            assertThat(rules.region("beijing").failOverTo()).isEmpty();
            assertThat(rules.routeFor("any.host", "/x")).isEqualTo(Route.DEFAULT);
        }

        @Test
        void identityHeaderDefaultsToXUserId() {
            TestFiles.write(dir, "users.csv", "u-1,us\n");
            RoutingRules rules = TestFiles.loadValid(dir, "rules.yaml", basePlus("  users: {file: users.csv}"));

            assertThat(rules.residency().users().orElseThrow().identityHeader()).isEqualTo("X-User-Id");
        }

        @Test
        void norwayIsTheCountryCodeNoNotTheBooleanFalse() {
            // YAML 1.1 resolves a bare NO to false; the loader must keep the text as written.
            RoutingRules rules = TestFiles.loadValid(dir, "rules.yaml", basePlus(
                    "  countries: {NO: beijing, CN: beijing}",
                    "  migrations:",
                    "    - {name: norway, countries: [NO], to: singapore, percent: 10}",
                    "tests:",
                    "  - {country: NO, expect: beijing}"));

            assertThat(rules.residency().countries()).containsEntry("NO", "beijing").doesNotContainKey("false");
            assertThat(rules.residency().migrations().get(0).countries()).containsExactly("NO");
            assertThat(rules.tests().get(0).country()).contains("NO");
        }

        @Test
        void percentBoundsAndDecimals() {
            RoutingRules rules = TestFiles.loadValid(dir, "rules.yaml", basePlus(
                    "  migrations:",
                    "    - {name: a, countries: [IN], to: singapore, percent: 0}",
                    "    - {name: b, countries: [MY], to: singapore, percent: 100}",
                    "    - {name: c, countries: [TH], to: singapore, percent: 0.01}",
                    "    - {name: d, countries: [VN], to: singapore, percent: 99.99}",
                    "    - {name: e, countries: [ID], to: singapore, percent: \"12.5\"}"));

            assertThat(rules.residency().migrations()).extracting(Migration::basisPoints)
                    .containsExactly(0, 10_000, 1, 9_999, 1_250);
        }
    }

    /** Whole-output checks: each file has exactly these problems, with these positions and words. */
    static Stream<Arguments> exactProblems() {
        String migration = "  migrations:\n    - {name: m1, countries: [IN], to: singapore, percent: %s}";
        return Stream.of(
                arguments("unknown key with hint", baseWith("    fail_over_to: [us]", "    fail_over: [us]"),
                        List.of("7:5: unknown key \"fail_over\" in regions.singapore (did you mean \"fail_over_to\"?)")),
                arguments("misspelt top-level key", baseWith("regions:", "regoins:"), List.of(
                        "1:1: rules: missing required key \"regions\"",
                        "2:1: unknown key \"regoins\" in rules (did you mean \"regions\"?)",
                        "11:19: residency.default_region: unknown region \"us\"")),
                arguments("unknown default_region", baseWith("default_region: us", "default_region: singapor"),
                        List.of("11:19: residency.default_region: unknown region \"singapor\" (did you mean \"singapore\"?)")),
                arguments("UK is not ISO", basePlus("  countries: {UK: us}"),
                        List.of("12:15: residency.countries: \"UK\" is not an ISO 3166-1 alpha-2 country code (did you mean \"GB\"?)")),
                arguments("unassigned code", basePlus("  countries: {ZZ: us}"),
                        List.of("12:15: residency.countries: \"ZZ\" is not an ISO 3166-1 alpha-2 country code")),
                arguments("percent over 100", basePlus(migration.formatted("120")),
                        List.of("13:59: residency.migrations[0].percent: 120 (expected: 0..100)")),
                arguments("self fail-over", baseWith("fail_over_to: [us]", "fail_over_to: [singapore]"),
                        List.of("7:20: regions.singapore.fail_over_to: a region cannot fail over to itself")),
                arguments("duplicate YAML key", basePlus("  default_region: us"),
                        List.of("12:3: residency: duplicate key \"default_region\"")),
                arguments("missing default_region", baseWith("  default_region: us", "  countries: {CN: beijing}"),
                        List.of("11:3: residency: missing required key \"default_region\"")),
                arguments("version 2", baseWith("version: 1", "version: 2"),
                        List.of("1:10: version: 2 (expected: 1)")),
                arguments("empty file", "",
                        List.of("1:1: the file is empty (expected a mapping with version, regions and residency)")),
                arguments("comments only", "# nothing here yet\n",
                        List.of("1:1: the file is empty (expected a mapping with version, regions and residency)")),
                arguments("invalid YAML syntax", baseWith("\"http://10.2.0.10:8080\"]", "\"http://10.2.0.10:8080\"]]"),
                        List.of("6:41: invalid YAML: expected <block end>, but found ']'")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exactProblems")
    void reportsExactlyTheseProblems(String name, String yaml, List<String> expected) {
        assertThat(problemsOf(yaml)).containsExactlyElementsOf(
                expected.stream().map(p -> dir.resolve("rules.yaml") + ":" + p).toList());
    }

    /** One problem among possibly several: at {@code line}, column of {@code token}'s first occurrence on it. */
    static Stream<Arguments> locatedProblems() {
        String migration = "  migrations:\n    - {name: m1, countries: [IN], to: singapore, percent: %s}";
        String endpoint = "endpoints: [\"http://10.1.0.10:8080\"]";
        return Stream.of(
                // wrong types
                arguments("endpoints as a string", baseWith(endpoint, "endpoints: \"http://10.1.0.10:8080\""),
                        4, "\"http", "regions.beijing.endpoints: expected a list, found \"http://10.1.0.10:8080\""),
                arguments("regions as a list", "version: 1\nregions: [us]\nresidency: {default_region: us}\n",
                        2, "[us]", "regions: expected a mapping, found a list"),
                arguments("percent not a number", basePlus(migration.formatted("abc")),
                        13, "abc", "residency.migrations[0].percent: abc (expected: a number 0..100, at most two decimals)"),
                arguments("percent negative", basePlus(migration.formatted("-1")),
                        13, "-1", "residency.migrations[0].percent: -1 (expected: a number 0..100, at most two decimals)"),
                arguments("percent with three decimals", basePlus(migration.formatted("2.555")),
                        13, "2.555", "at most two decimals"),
                arguments("migration countries as a string", basePlus(
                        "  migrations:", "    - {name: m1, countries: IN, to: singapore, percent: 5}"),
                        13, "IN", "residency.migrations[0].countries: expected a list, found \"IN\""),
                // unknown regions, with hints
                arguments("unknown region in countries", basePlus("  countries: {CN: beijing, SG: singapor}"),
                        12, "singapor", "residency.countries.SG: unknown region \"singapor\" (did you mean \"singapore\"?)"),
                arguments("unknown migration target", basePlus(
                        "  migrations:", "    - {name: m1, countries: [IN], to: singapor, percent: 25}"),
                        13, "singapor", "residency.migrations[0].to: unknown region \"singapor\" (did you mean \"singapore\"?)"),
                arguments("unknown fail_over_to", baseWith("fail_over_to: [us]", "fail_over_to: [usa]"),
                        7, "usa", "regions.singapore.fail_over_to: unknown region \"usa\" (did you mean \"us\"?)"),
                arguments("fail_over_to listed twice", baseWith("fail_over_to: [us]", "fail_over_to: [us, beijing, us]"),
                        7, "us]", "regions.singapore.fail_over_to: \"us\" is listed twice"),
                arguments("unknown tests.expect", basePlus("tests:", "  - {ip: 1.2.4.8, expect: bejing}"),
                        13, "bejing", "tests[0].expect: unknown region \"bejing\" (did you mean \"beijing\"?)"),
                arguments("unknown region without a close name", basePlus("  countries: {CN: mars}"),
                        12, "mars", "residency.countries.CN: unknown region \"mars\""),
                // country codes
                arguments("lower-case country", basePlus("  countries: {cn: beijing}"),
                        12, "cn", "\"cn\" is not an ISO 3166-1 alpha-2 country code (did you mean \"CN\"? codes are upper case)"),
                arguments("lower-case migration country", basePlus(
                        "  migrations:", "    - {name: m1, countries: [in], to: singapore, percent: 25}"),
                        13, "in]", "residency.migrations[0].countries: \"in\" is not an ISO 3166-1 alpha-2 country code (did you mean \"IN\"?"),
                arguments("alpha-3 code", basePlus("  countries: {CHN: beijing}"),
                        12, "CHN", "\"CHN\" is not an ISO 3166-1 alpha-2 country code"),
                arguments("test country", basePlus("tests:", "  - {country: XX, expect: us}"),
                        13, "XX", "tests[0].country: \"XX\" is not an ISO 3166-1 alpha-2 country code"),
                // endpoint URLs
                arguments("ftp endpoint", baseWith("http://10.1.0.10:8080", "ftp://10.1.0.10:21"),
                        4, "\"ftp", "regions.beijing.endpoints[0]: \"ftp://10.1.0.10:21\" has scheme \"ftp\" (expected: http://host:port or https://host:port)"),
                arguments("endpoint without host", baseWith("http://10.1.0.10:8080", "http://:8080"),
                        4, "\"http", "\"http://:8080\" has no valid host"),
                arguments("endpoint without scheme", baseWith("http://10.1.0.10:8080", "//10.1.0.10:8080"),
                        4, "\"//", "has no scheme"),
                arguments("endpoint with path", baseWith("http://10.1.0.10:8080", "http://10.1.0.10:8080/api"),
                        4, "\"http", "\"http://10.1.0.10:8080/api\" must be only scheme, host and port (no user, path, query or fragment)"),
                arguments("endpoint with user", baseWith("http://10.1.0.10:8080", "http://admin@10.1.0.10:8080"),
                        4, "\"http", "must be only scheme, host and port"),
                arguments("endpoint port too large", baseWith("http://10.1.0.10:8080", "http://10.1.0.10:70000"),
                        4, "\"http", "regions.beijing.endpoints[0]: port 70000 (expected: 1..65535)"),
                arguments("endpoint port 0", baseWith("http://10.1.0.10:8080", "http://10.1.0.10:0"),
                        4, "\"http", "port 0 (expected: 1..65535)"),
                arguments("malformed URL", baseWith("http://10.1.0.10:8080", "http://10.1.0.10:80 80"),
                        4, "\"http", "malformed URL \"http://10.1.0.10:80 80\""),
                arguments("duplicate endpoint", baseWith(endpoint, "endpoints: [\"http://10.1.0.10:8080\", \"http://10.1.0.10:8080/\"]"),
                        4, "\"http://10.1.0.10:8080/", "regions.beijing.endpoints[1]: duplicate endpoint http://10.1.0.10:8080"),
                arguments("no endpoints", baseWith(endpoint, "endpoints: []"),
                        4, "endpoints", "regions.beijing.endpoints: at least one endpoint is required"),
                arguments("missing endpoints", baseWith("    " + endpoint + "\n", "    fail_over_to: []\n"),
                        3, "beijing", "regions.beijing: missing required key \"endpoints\""),
                arguments("region name not lower case", baseWith("  us:", "  US:"),
                        8, "US", "region name \"US\""),
                // migrations and routes
                arguments("country in two migrations", basePlus("  migrations:",
                        "    - {name: m1, countries: [IN], to: singapore, percent: 25}",
                        "    - {name: m2, countries: [MY, IN], to: us, percent: 10}"),
                        14, "IN", "country \"IN\" is in migration \"m1\" and in migration \"m2\""),
                arguments("duplicate migration name", basePlus("  migrations:",
                        "    - {name: m1, countries: [IN], to: singapore, percent: 25}",
                        "    - {name: m1, countries: [MY], to: singapore, percent: 10}"),
                        14, "m1", "residency.migrations[1]: duplicate migration name \"m1\""),
                arguments("migration without countries", basePlus("  migrations:",
                        "    - {name: m1, to: singapore, percent: 25}"),
                        13, "{", "residency.migrations[0]: missing required key \"countries\""),
                arguments("duplicate route name", basePlus("routes:",
                        "  - {name: api, path_prefix: /api/}",
                        "  - {name: api, path_prefix: /v2/}"),
                        14, "api", "routes[1].name: duplicate or reserved route name \"api\""),
                arguments("reserved route name", basePlus("routes:", "  - {name: default}"),
                        13, "default", "routes[0].name: duplicate or reserved route name \"default\""),
                arguments("route path without slash", basePlus("routes:", "  - {name: api, path_prefix: api}"),
                        13, "api}", "routes[0].path_prefix: \"api\" (expected: starts with /)"),
                arguments("route host invalid", basePlus("routes:", "  - {name: api, host: \"api example\"}"),
                        13, "\"api example", "routes[0].host: \"api example\" (expected: a host name or *.domain)"),
                // tests and users
                arguments("test ip not an address", basePlus("tests:", "  - {ip: 1.2.3, expect: us}"),
                        13, "1.2.3", "tests[0].ip: \"1.2.3\" is not an IPv4 or IPv6 address"),
                arguments("test with ip and country", basePlus("tests:", "  - {ip: 1.2.3.4, country: CN, expect: us}"),
                        13, "{", "tests[0]: give ip or country, not both"),
                arguments("test without expect", basePlus("tests:", "  - {ip: 1.2.3.4}"),
                        13, "{", "tests[0]: missing required key \"expect\""),
                arguments("unknown expect_reason", basePlus("tests:", "  - {ip: 1.2.3.4, expect: us, expect_reason: geo}"),
                        13, "geo", "tests[0].expect_reason: \"geo\" (expected one of pin, migration, country, default)"),
                arguments("unknown on_lookup_error", basePlus("  on_lookup_error: guess"),
                        12, "guess", "residency.on_lookup_error: \"guess\" (expected: reject or default_region)"),
                arguments("users file missing", basePlus("  users: {file: nope.csv}"),
                        12, "nope", "residency.users.file: no such file"),
                arguments("bad identity header", basePlus("  users: {file: nope.csv, identity: {header: \"X User\"}}"),
                        12, "\"X User", "residency.users.identity.header: \"X User\" is not a valid header name"),
                arguments("missing version", baseWith("version: 1\n", ""),
                        1, "regions", "rules: missing required key \"version\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("locatedProblems")
    void reportsTheProblemAtItsPosition(String name, String yaml, int line, String token, String message) {
        int column = yaml.lines().toList().get(line - 1).indexOf(token) + 1;
        assertThat(column).as("fixture: %s not on line %d", token, line).isPositive();

        assertThat(problemsOf(yaml)).anySatisfy(problem ->
                assertThat(problem).startsWith(located(line, column, "")).contains(message));
    }

    @Test
    void reportsEveryMistakeAtOnceInLineOrder() {
        // tests: comes first in the file but is validated last: the report must still be in line order.
        String yaml = """
                tests:
                  - {ip: 1.2.4.8, expect: mars}
                version: 1
                regions:
                  beijing:
                    endpoints: ["ftp://10.1.0.10"]
                    fail_ovr_to: []
                  us:
                    endpoints: ["http://10.3.0.10:8080"]
                residency:
                  default_region: us
                  countries: {UK: beijing, SG: singapore}
                  migrations:
                    - {name: m1, countries: [IN], to: us, percent: 250}
                """;

        InvalidRulesException e = refuse(yaml);

        assertThat(e.problems()).extracting(Problem::line).containsExactly(2, 6, 7, 12, 12, 14);
        assertThat(e.problems()).extracting(Problem::message).satisfiesExactly(
                m -> assertThat(m).contains("tests[0].expect: unknown region \"mars\""),
                m -> assertThat(m).contains("has scheme \"ftp\""),
                m -> assertThat(m).contains("unknown key \"fail_ovr_to\" in regions.beijing (did you mean \"fail_over_to\"?)"),
                m -> assertThat(m).contains("\"UK\" is not an ISO 3166-1 alpha-2 country code (did you mean \"GB\"?)"),
                m -> assertThat(m).contains("residency.countries.SG: unknown region \"singapore\""),
                m -> assertThat(m).contains("percent: 250 (expected: 0..100)"));
        // The exception message is the whole report, one problem per line.
        assertThat(e.getMessage().lines()).hasSize(6).first().asString().startsWith(located(2, 27, ""));
    }

    @Test
    void residencyCsvProblemsNameTheCsvFile() {
        Path csv = TestFiles.write(dir, "users.csv", "user_id,region\nu-1,us\nu-2,mars\n");
        InvalidRulesException e = refuse(basePlus("  users: {file: users.csv}"));

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.file()).isEqualTo(csv.toString());
            assertThat(problem.line()).isEqualTo(3);
            assertThat(problem.message()).contains("unknown region \"mars\"");
        });
    }

    @Test
    void missingFileIsAProblemNotACrash() {
        Path missing = dir.resolve("absent.yaml");
        assertThatThrownBy(() -> new RulesLoader().load(missing))
                .isInstanceOfSatisfying(InvalidRulesException.class, e -> assertThat(e.problems())
                        .extracting(Problem::toString).containsExactly(missing + ":1:1: no such file"));
    }
}
