package io.homeport.world;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the world is made of, as data: the regions (each with its edge beside it, in one city), the
 * markets (a country and the city its phones are counted from), and the scenarios, in the order
 * they run: 2014, the phases of the move, and residency routing.
 */
public final class WorldPlan {

    /** A region and its edge, in one city. */
    public record Site(String region, String city) {}

    /** A market: phones of {@code country}, reaching the world from {@code city}. */
    public record Market(String country, String city) {}

    /**
     * One scenario: which edge DNS sends each market to (countries per edge; the rest to the
     * default edge), the residency section of the rules every edge serves, and the regions each
     * market is expected to be served by.
     */
    public record Scenario(String name, String title, Map<String, List<String>> edgeCountries, String defaultEdge,
            String residency, Map<String, Set<String>> expected) {}

    public static final List<Site> SITES = List.of(
            new Site("beijing", "Beijing"), new Site("singapore", "Singapore"), new Site("us", "Ashburn"));

    public static final List<Market> MARKETS = List.of(
            new Market("CN", "Beijing"), new Market("HK", "Hong Kong"), new Market("TW", "Taipei"),
            new Market("SG", "Singapore"), new Market("MY", "Kuala Lumpur"), new Market("IN", "Mumbai"),
            new Market("ID", "Jakarta"), new Market("US", "Ashburn"), new Market("BR", "Sao Paulo"));

    /** Where DNS sends each market once every edge is open: its nearest. */
    static final Map<String, List<String>> ALL_EDGES = Map.of(
            "beijing", List.of("CN"),
            "singapore", List.of("HK", "TW", "SG", "MY", "IN", "ID"),
            "us", List.of("US", "BR"));

    static final String NO_PINS = "";

    public static final List<Scenario> SCENARIOS = List.of(
            new Scenario("2014", "One site, every user's data in Beijing",
                    Map.of("beijing", List.of(), "singapore", List.of(), "us", List.of()), "beijing",
                    """
                    residency:
                      default_region: beijing
                      countries: {CN: beijing}
                    """,
                    expect("beijing", "CN HK TW SG MY IN ID US BR")),
            new Scenario("singapore-opens", "Singapore opens: Hong Kong, Taiwan, Singapore and Malaysia move; edges everywhere",
                    ALL_EDGES, "us",
                    """
                    residency:
                      default_region: beijing
                      countries: {CN: beijing, HK: singapore, TW: singapore, SG: singapore, MY: singapore}
                    """,
                    merge(expect("beijing", "CN IN ID US BR"), expect("singapore", "HK TW SG MY"))),
            new Scenario("india-half", "India moving: half its users copied to Singapore (a phased migration); Indonesia moved",
                    ALL_EDGES, "us",
                    """
                    residency:
                      default_region: beijing
                      countries: {CN: beijing, HK: singapore, TW: singapore, SG: singapore, MY: singapore, ID: singapore}
                      migrations:
                        - {name: india, countries: [IN], to: singapore, percent: 50}
                    """,
                    merge(expect("beijing", "CN US BR"), expect("singapore", "HK TW SG MY ID"), Map.of("IN", Set.of("beijing", "singapore")))),
            new Scenario("residency", "Residency routing: China in Beijing, South and South-East Asia in Singapore, the Americas in the US",
                    ALL_EDGES, "us",
                    """
                    residency:
                      default_region: us
                      countries: {CN: beijing, HK: singapore, TW: singapore, SG: singapore, MY: singapore, ID: singapore,
                                  US: us, BR: us}
                      migrations:
                        - {name: india, countries: [IN], to: singapore, percent: 100}
                    """,
                    merge(expect("beijing", "CN"), expect("singapore", "HK TW SG MY IN ID"), expect("us", "US BR"))));

    private WorldPlan() {}

    public static Scenario scenario(String name) {
        return SCENARIOS.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scenario " + name + " (scenarios: "
                        + String.join(", ", SCENARIOS.stream().map(Scenario::name).toList()) + ")"));
    }

    public static Site site(String region) {
        return SITES.stream().filter(s -> s.region().equals(region)).findFirst().orElseThrow();
    }

    public static Market market(String country) {
        return MARKETS.stream().filter(m -> m.country().equals(country)).findFirst().orElseThrow();
    }

    /** The edge DNS names for a market's phones in a scenario. */
    public static String edgeFor(Scenario scenario, String country) {
        return scenario.edgeCountries().entrySet().stream().filter(e -> e.getValue().contains(country)).map(Map.Entry::getKey)
                .findFirst().orElse(scenario.defaultEdge());
    }

    private static Map<String, Set<String>> expect(String region, String countries) {
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        for (String country : countries.split(" ")) {
            expected.put(country, Set.of(region));
        }
        return expected;
    }

    @SafeVarargs
    private static Map<String, Set<String>> merge(Map<String, Set<String>>... parts) {
        Map<String, Set<String>> merged = new LinkedHashMap<>();
        for (Map<String, Set<String>> part : parts) {
            merged.putAll(part);
        }
        return Map.copyOf(merged);
    }
}
