package io.homeport.rules;

import io.homeport.residency.ResidencyTable;
import io.homeport.rules.internal.Problems;
import io.homeport.rules.internal.SafeYaml;
import io.homeport.rules.internal.Suggestions;
import io.homeport.rules.internal.YamlMap;
import io.homeport.routing.IpAddresses;
import io.homeport.routing.Reason;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads a rules file into validated {@link RoutingRules}, or refuses it with every problem found.
 * Nothing half-valid is ever returned: the gateway keeps its last good rules when this throws.
 */
public final class RulesLoader {

    /** Files larger than this are refused before parsing. */
    public static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    static final Set<String> ROOT_KEYS = Set.of("version", "regions", "residency", "routes", "tests");
    static final Set<String> REGION_KEYS = Set.of("endpoints", "fail_over_to");
    static final Set<String> RESIDENCY_KEYS = Set.of("default_region", "countries", "migrations", "users", "on_lookup_error");
    static final Set<String> MIGRATION_KEYS = Set.of("name", "countries", "to", "percent", "state");
    static final Set<String> USERS_KEYS = Set.of("file", "identity", "source", "strict");
    static final Set<String> STRICT_KEYS = Set.of("countries", "routes");
    static final Set<String> IDENTITY_KEYS = Set.of("header");
    static final Set<String> ROUTE_KEYS = Set.of("name", "host", "path_prefix");
    static final Set<String> TEST_KEYS = Set.of("ip", "country", "user", "host", "path", "expect", "expect_reason");

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");
    private static final Pattern HOST_PATTERN = Pattern.compile("(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");
    private static final Pattern PERCENT = Pattern.compile("\\d{1,3}(\\.\\d{1,2})?");
    static final String DEFAULT_IDENTITY_HEADER = "X-User-Id";

    private final Clock clock;

    public RulesLoader() {
        this(Clock.systemUTC());
    }

    public RulesLoader(Clock clock) {
        this.clock = clock;
    }

    /** Loads {@code file}, naming it in problems as given. */
    public RoutingRules load(Path file) throws InvalidRulesException {
        String name = file.toString();
        Problems problems = new Problems(name);
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                problems.atLine(1, 1, "file of " + size + " bytes (expected: at most " + MAX_FILE_BYTES + ")");
                throw new InvalidRulesException(problems.list());
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            problems.atLine(1, 1, "no such file");
            throw new InvalidRulesException(problems.list());
        } catch (IOException e) {
            problems.atLine(1, 1, "cannot read: " + e.getMessage());
            throw new InvalidRulesException(problems.list());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            problems.atLine(1, 1, "not UTF-8 text");
            throw new InvalidRulesException(problems.list());
        }
        return parse(file, text, sha256(bytes), problems);
    }

    private RoutingRules parse(Path file, String text, String sha256, Problems problems) throws InvalidRulesException {
        Node root = SafeYaml.parse(text, problems).orElse(null);
        if (root == null) {
            throw new InvalidRulesException(problems.list());
        }
        YamlMap top = YamlMap.read("rules", root, ROOT_KEYS, problems);
        readVersion(top, problems);

        Map<String, Region> regions = readRegions(top, problems);
        Residency residency = readResidency(file, top, regions, problems);
        List<Route> routes = readRoutes(top, problems);
        List<RuleTest> tests = readTests(top, regions.keySet(), problems);

        problems.throwIfAny();
        return new RoutingRules(1, regions, residency, routes, tests, new RulesSource(file, sha256, clock.instant()));
    }

    private static void readVersion(YamlMap top, Problems problems) {
        top.requireString("version").ifPresent(version -> {
            if (!version.equals("1")) {
                problems.at(top.value("version").get(), "version: " + version + " (expected: 1)");
            }
        });
    }

    // --- regions -------------------------------------------------------------------------------

    private static Map<String, Region> readRegions(YamlMap top, Problems problems) {
        Map<String, Region> regions = new LinkedHashMap<>();
        Optional<Node> regionsNode = top.require("regions");
        if (regionsNode.isEmpty()) {
            return regions;
        }
        YamlMap regionMap = YamlMap.read("regions", regionsNode.get(), null, problems);
        if (regionMap.node() != null && regionMap.entries().isEmpty() && problems.isEmpty()) {
            problems.at(regionsNode.get(), "regions: at least one region is required");
        }
        Map<String, Node> failOverNodes = new HashMap<>();
        for (Map.Entry<String, NodeTuple> entry : regionMap.entries().entrySet()) {
            String name = entry.getKey();
            Node keyNode = entry.getValue().getKeyNode();
            if (!NAME.matcher(name).matches()) {
                problems.at(keyNode, "region name \"" + name + "\" (expected: lower case letters, digits, - and _, starting with a letter)");
            }
            String path = "regions." + name;
            YamlMap region = YamlMap.read(path, entry.getValue().getValueNode(), REGION_KEYS, problems);
            List<Endpoint> endpoints = new ArrayList<>();
            if (!region.has("endpoints")) {
                problems.at(keyNode, path + ": missing required key \"endpoints\"");
            }
            List<Node> endpointNodes = region.list("endpoints");
            if (region.has("endpoints") && endpointNodes.isEmpty()) {
                problems.at(region.keyNode("endpoints"), path + ".endpoints: at least one endpoint is required");
            }
            Set<String> seen = new LinkedHashSet<>();
            for (int i = 0; i < endpointNodes.size(); i++) {
                Node endpointNode = endpointNodes.get(i);
                String endpointPath = path + ".endpoints[" + i + "]";
                YamlMap.scalar(endpointPath, endpointNode, problems)
                        .flatMap(url -> parseEndpoint(endpointPath, url, endpointNode, problems))
                        .ifPresent(endpoint -> {
                            if (!seen.add(endpoint.toString())) {
                                problems.at(endpointNode, endpointPath + ": duplicate endpoint " + endpoint);
                            } else {
                                endpoints.add(endpoint);
                            }
                        });
            }
            region.value("fail_over_to").ifPresent(node -> failOverNodes.put(name, node));
            regions.put(name, new Region(name, endpoints, List.of()));
        }
        // fail_over_to may name regions defined further down, so it is resolved in a second pass.
        for (Map.Entry<String, Node> entry : failOverNodes.entrySet()) {
            String name = entry.getKey();
            String path = "regions." + name + ".fail_over_to";
            List<String> targets = new ArrayList<>();
            for (Node target : YamlMap.list(path, entry.getValue(), problems)) {
                YamlMap.scalar(path, target, problems).ifPresent(targetName -> {
                    if (!checkRegion(path, targetName, target, regions.keySet(), problems)) {
                        return;
                    }
                    if (targetName.equals(name)) {
                        problems.at(target, path + ": a region cannot fail over to itself");
                    } else if (targets.contains(targetName)) {
                        problems.at(target, path + ": \"" + targetName + "\" is listed twice");
                    } else {
                        targets.add(targetName);
                    }
                });
            }
            Region region = regions.get(name);
            regions.put(name, new Region(name, region.endpoints(), targets));
        }
        return regions;
    }

    private static Optional<Endpoint> parseEndpoint(String path, String url, Node node, Problems problems) {
        String expected = " (expected: http://host:port or https://host:port)";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            problems.at(node, path + ": malformed URL \"" + url + "\": " + e.getReason() + expected);
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            problems.at(node, path + ": \"" + url + "\" has " + (scheme == null ? "no scheme" : "scheme \"" + scheme + "\"") + expected);
            return Optional.empty();
        }
        if (uri.getHost() == null) {
            problems.at(node, path + ": \"" + url + "\" has no valid host" + expected);
            return Optional.empty();
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
            problems.at(node, path + ": \"" + url + "\" must be only scheme, host and port (no user, path, query or fragment)");
            return Optional.empty();
        }
        int port = uri.getPort() == -1 ? ("https".equals(scheme) ? 443 : 80) : uri.getPort();
        if (port < 1 || port > 65535) {
            problems.at(node, path + ": port " + port + " (expected: 1..65535)");
            return Optional.empty();
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return Optional.of(new Endpoint(scheme, host, port));
    }

    // --- residency -----------------------------------------------------------------------------

    private Residency readResidency(Path file, YamlMap top, Map<String, Region> regions, Problems problems) {
        Set<String> regionNames = regions.keySet();
        Optional<Node> node = top.require("residency");
        if (node.isEmpty()) {
            return new Residency("", Map.of(), List.of(), Optional.empty());
        }
        YamlMap residency = YamlMap.read("residency", node.get(), RESIDENCY_KEYS, problems);

        String defaultRegion = residency.requireString("default_region").orElse("");
        if (!defaultRegion.isEmpty()) {
            checkRegion("residency.default_region", defaultRegion, residency.value("default_region").get(), regionNames, problems);
        }

        Map<String, String> countries = new LinkedHashMap<>();
        residency.value("countries").ifPresent(countriesNode -> {
            YamlMap countryMap = YamlMap.read("residency.countries", countriesNode, null, problems);
            for (Map.Entry<String, NodeTuple> entry : countryMap.entries().entrySet()) {
                String code = entry.getKey();
                boolean validCode = checkCountry("residency.countries", code, entry.getValue().getKeyNode(), problems);
                Node value = entry.getValue().getValueNode();
                YamlMap.scalar("residency.countries." + code, value, problems).ifPresent(region -> {
                    if (checkRegion("residency.countries." + code, region, value, regionNames, problems) && validCode) {
                        countries.put(code, region);
                    }
                });
            }
        });

        List<Migration> migrations = readMigrations(residency, regionNames, problems);
        Set<String> routeNames = new LinkedHashSet<>(List.of(Route.DEFAULT.name()));
        for (Node route : top.list("routes")) {
            if (route instanceof org.yaml.snakeyaml.nodes.MappingNode mapping) {
                mapping.getValue().stream()
                        .filter(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("name")
                                && t.getValueNode() instanceof ScalarNode)
                        .forEach(t -> routeNames.add(((ScalarNode) t.getValueNode()).getValue()));
            }
        }
        Optional<UserPins> users = residency.value("users")
                .flatMap(usersNode -> readUsers(file, usersNode, regions, routeNames, problems));
        Residency.OnLookupError onLookupError = Residency.OnLookupError.REJECT;
        Optional<String> onError = residency.string("on_lookup_error");
        if (onError.isPresent()) {
            onLookupError = null;
            for (Residency.OnLookupError candidate : Residency.OnLookupError.values()) {
                if (candidate.key().equals(onError.get())) {
                    onLookupError = candidate;
                }
            }
            if (onLookupError == null) {
                problems.at(residency.value("on_lookup_error").get(), "residency.on_lookup_error: \"" + onError.get()
                        + "\" (expected: reject or default_region)");
                onLookupError = Residency.OnLookupError.REJECT;
            }
        }
        return new Residency(defaultRegion, countries, migrations, users, onLookupError);
    }

    private static List<Migration> readMigrations(YamlMap residency, Set<String> regionNames, Problems problems) {
        List<Migration> migrations = new ArrayList<>();
        Map<String, String> migrationOfCountry = new HashMap<>();
        Set<String> names = new LinkedHashSet<>();
        List<Node> items = residency.list("migrations");
        for (int i = 0; i < items.size(); i++) {
            String path = "residency.migrations[" + i + "]";
            YamlMap migration = YamlMap.read(path, items.get(i), MIGRATION_KEYS, problems);
            Optional<String> name = migration.requireString("name");
            name.ifPresent(n -> {
                if (!names.add(n)) {
                    problems.at(migration.value("name").get(), path + ": duplicate migration name \"" + n + "\"");
                }
            });
            String label = name.map(n -> "migration \"" + n + "\"").orElse(path);
            Set<String> countries = new LinkedHashSet<>();
            if (!migration.has("countries")) {
                problems.at(migration.node(), path + ": missing required key \"countries\"");
            }
            for (Node countryNode : migration.list("countries")) {
                YamlMap.scalar(path + ".countries", countryNode, problems).ifPresent(code -> {
                    if (!checkCountry(path + ".countries", code, countryNode, problems)) {
                        return;
                    }
                    String other = migrationOfCountry.putIfAbsent(code, label);
                    if (other != null && !other.equals(label)) {
                        problems.at(countryNode, "country \"" + code + "\" is in " + other + " and in " + label
                                + " (expected: a country in one migration at a time; raise the first one's percent instead)");
                    } else if (!countries.add(code)) {
                        problems.at(countryNode, path + ".countries: \"" + code + "\" is listed twice");
                    }
                });
            }
            if (migration.has("countries") && countries.isEmpty() && migration.list("countries").isEmpty()) {
                problems.at(migration.keyNode("countries"), path + ".countries: at least one country is required");
            }
            Optional<String> to = migration.requireString("to");
            to.ifPresent(region -> checkRegion(path + ".to", region, migration.value("to").get(), regionNames, problems));
            Optional<Integer> basisPoints = migration.requireString("percent").flatMap(percent -> {
                Node percentNode = migration.value("percent").get();
                if (!PERCENT.matcher(percent).matches()) {
                    problems.at(percentNode, path + ".percent: " + percent + " (expected: a number 0..100, at most two decimals)");
                    return Optional.empty();
                }
                BigDecimal value = new BigDecimal(percent);
                if (value.compareTo(BigDecimal.valueOf(100)) > 0) {
                    problems.at(percentNode, path + ".percent: " + percent + " (expected: 0..100)");
                    return Optional.empty();
                }
                return Optional.of(value.movePointRight(2).intValueExact());
            });
            Migration.State state = Migration.State.CUT_OVER; // a file without states: the percent is served
            if (migration.has("state")) {
                Optional<String> key = migration.string("state");
                Migration.State parsed = key.map(Migration.State::ofKey).orElse(null);
                if (parsed != null) {
                    state = parsed;
                } else if (key.isPresent()) { // not a scalar: already reported
                    problems.at(migration.value("state").get(), path + ".state: \"" + key.get()
                            + "\" (expected one of planned, copying, cut_over, locked, rolled_back)");
                }
            }
            if (name.isPresent() && to.isPresent() && basisPoints.isPresent() && !countries.isEmpty()) {
                migrations.add(new Migration(name.get(), countries, to.get(), basisPoints.get(), state));
            }
        }
        return migrations;
    }

    private static Optional<UserPins> readUsers(Path rulesFile, Node usersNode, Map<String, Region> regions, Set<String> routeNames,
            Problems problems) {
        YamlMap users = YamlMap.read("residency.users", usersNode, USERS_KEYS, problems);
        String header = DEFAULT_IDENTITY_HEADER;
        Optional<Node> identityNode = users.value("identity");
        if (identityNode.isPresent()) {
            YamlMap identity = YamlMap.read("residency.users.identity", identityNode.get(), IDENTITY_KEYS, problems);
            Optional<String> configured = identity.requireString("header");
            if (configured.isPresent()) {
                if (HEADER_NAME.matcher(configured.get()).matches()) {
                    header = configured.get();
                } else {
                    problems.at(identity.value("header").get(),
                            "residency.users.identity.header: \"" + configured.get() + "\" is not a valid header name");
                }
            }
        }
        String source = users.string("source").orElse("file");
        Set<String> strictCountries = new LinkedHashSet<>();
        Set<String> strictRoutes = new LinkedHashSet<>();
        Optional<Node> strictNode = users.value("strict");
        if (strictNode.isPresent()) {
            YamlMap strict = YamlMap.read("residency.users.strict", strictNode.get(), STRICT_KEYS, problems);
            for (Node countryNode : strict.list("countries")) {
                YamlMap.scalar("residency.users.strict.countries", countryNode, problems).ifPresent(code -> {
                    if (checkCountry("residency.users.strict.countries", code, countryNode, problems)) {
                        strictCountries.add(code);
                    }
                });
            }
            for (Node routeNode : strict.list("routes")) {
                YamlMap.scalar("residency.users.strict.routes", routeNode, problems).ifPresent(name -> {
                    // A misspelt strict route would silently not be strict: refused instead.
                    if (routeNames.contains(name)) {
                        strictRoutes.add(name);
                    } else {
                        problems.at(routeNode, "residency.users.strict.routes: no route \"" + name + "\" (routes: "
                                + String.join(", ", routeNames) + ")");
                    }
                });
            }
        }
        if (source.equals("redis")) {
            if (users.has("file")) {
                problems.at(users.keyNode("file"), "residency.users: file and source: redis exclude each other"
                        + " (the pins are in one place: the users file, or Redis)");
                return Optional.empty();
            }
            return Optional.of(new UserPins(null, header, ResidencyTable.EMPTY, UserPins.Source.REDIS, strictCountries, strictRoutes));
        }
        if (!source.equals("file")) {
            problems.at(users.value("source").get(), "residency.users.source: \"" + source + "\" (expected file or redis)");
            return Optional.empty();
        }
        Optional<String> fileName = users.requireString("file");
        if (fileName.isEmpty()) {
            return Optional.empty();
        }
        Path base = rulesFile.toAbsolutePath().getParent();
        Path csv = base == null ? Path.of(fileName.get()) : base.resolve(fileName.get()).normalize();
        Path shown = rulesFile.getParent() == null ? Path.of(fileName.get()) : rulesFile.getParent().resolve(fileName.get()).normalize();
        if (!Files.isRegularFile(csv)) {
            problems.at(users.value("file").get(), "residency.users.file: no such file " + shown);
            return Optional.empty();
        }
        if (!problems.isEmpty()) {
            return Optional.empty(); // region names may be wrong; a table checked against them would only add noise
        }
        try {
            ResidencyTable table = ResidencyTable.load(csv, shown.toString(), List.copyOf(regions.keySet()));
            return Optional.of(new UserPins(csv, header, table, UserPins.Source.FILE, strictCountries, strictRoutes));
        } catch (InvalidRulesException e) {
            // The rows are in the CSV file, so its problems keep its name, not the rules file's.
            e.problems().forEach(problems::add);
        } catch (IOException e) {
            problems.at(users.value("file").get(), "residency.users.file: cannot read " + shown + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    // --- routes and tests ----------------------------------------------------------------------

    private static List<Route> readRoutes(YamlMap top, Problems problems) {
        List<Route> routes = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        List<Node> items = top.list("routes");
        for (int i = 0; i < items.size(); i++) {
            String path = "routes[" + i + "]";
            YamlMap route = YamlMap.read(path, items.get(i), ROUTE_KEYS, problems);
            Optional<String> name = route.requireString("name");
            name.ifPresent(n -> {
                if (!NAME.matcher(n).matches()) {
                    problems.at(route.value("name").get(), path + ".name: \"" + n + "\" (expected: lower case letters, digits, - and _)");
                } else if (!names.add(n) || n.equals(Route.DEFAULT.name())) {
                    problems.at(route.value("name").get(), path + ".name: duplicate or reserved route name \"" + n + "\"");
                }
            });
            Optional<String> host = route.string("host");
            host.ifPresent(h -> {
                if (!HOST_PATTERN.matcher(h).matches()) {
                    problems.at(route.value("host").get(), path + ".host: \"" + h + "\" (expected: a host name or *.domain)");
                }
            });
            String prefix = route.string("path_prefix").orElse("/");
            if (!prefix.startsWith("/")) {
                problems.at(route.value("path_prefix").get(), path + ".path_prefix: \"" + prefix + "\" (expected: starts with /)");
            }
            if (name.isPresent()) {
                routes.add(new Route(name.get(), host.map(h -> h.toLowerCase(Locale.ROOT)), prefix));
            }
        }
        return routes;
    }

    private static List<RuleTest> readTests(YamlMap top, Set<String> regionNames, Problems problems) {
        List<RuleTest> tests = new ArrayList<>();
        List<Node> items = top.list("tests");
        for (int i = 0; i < items.size(); i++) {
            String path = "tests[" + i + "]";
            Node item = items.get(i);
            YamlMap test = YamlMap.read(path, item, TEST_KEYS, problems);
            Optional<String> ip = test.string("ip");
            ip.ifPresent(value -> {
                if (IpAddresses.parseLiteral(value).isEmpty()) {
                    problems.at(test.value("ip").get(), path + ".ip: \"" + value + "\" is not an IPv4 or IPv6 address");
                }
            });
            Optional<String> country = test.string("country");
            country.ifPresent(code -> checkCountry(path + ".country", code, test.value("country").get(), problems));
            if (ip.isPresent() && country.isPresent()) {
                problems.at(item, path + ": give ip or country, not both");
            }
            Optional<String> expect = test.requireString("expect");
            expect.ifPresent(region -> checkRegion(path + ".expect", region, test.value("expect").get(), regionNames, problems));
            Optional<String> reason = test.string("expect_reason");
            reason.ifPresent(r -> {
                boolean known = false;
                for (Reason candidate : Reason.values()) {
                    // A rule test cannot make a lookup fail: expecting lookup_error could never pass.
                    known |= candidate != Reason.LOOKUP_ERROR && candidate.label().equals(r);
                }
                if (!known) {
                    problems.at(test.value("expect_reason").get(), path + ".expect_reason: \"" + r
                            + "\" (expected one of pin, migration, country, default)");
                }
            });
            if (expect.isPresent()) {
                int line = item.getStartMark() == null ? 1 : item.getStartMark().getLine() + 1;
                int column = item.getStartMark() == null ? 1 : item.getStartMark().getColumn() + 1;
                tests.add(new RuleTest(line, column, ip, country.map(c -> c.toUpperCase(Locale.ROOT)), test.string("user"),
                        test.string("host"), test.string("path"), expect.get(), reason));
            }
        }
        return tests;
    }

    // --- checks --------------------------------------------------------------------------------

    private static boolean checkRegion(String path, String region, Node node, Set<String> regionNames, Problems problems) {
        if (regionNames.contains(region)) {
            return true;
        }
        problems.at(node, path + ": unknown region \"" + region + "\"" + Suggestions.didYouMean(region, regionNames));
        return false;
    }

    private static boolean checkCountry(String path, String code, Node node, Problems problems) {
        if (code.length() == 2 && CountryCodes.isAssigned(code)) {
            return true;
        }
        problems.at(node, path + ": \"" + code + "\" is not an ISO 3166-1 alpha-2 country code" + CountryCodes.hintFor(code));
        return false;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
