package io.homeport.geodns;

import io.homeport.rules.CountryCodes;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The edges phones may be sent to, and which countries each one serves: the one table the GeoDNS
 * zone is generated from. Exactly one edge is the default (countries no edge lists, and resolvers
 * whose address has no country); a country is served by at most one edge.
 *
 * @param zone the DNS zone PowerDNS is authoritative for ({@code example.com})
 * @param service the name phones resolve, relative to the zone ({@code api})
 * @param ttlSeconds how long resolvers may keep an answer: the delay before a change reaches phones
 */
public record EdgeTable(String zone, String service, int ttlSeconds, List<Edge> edges) {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    /** One edge: its addresses (A and AAAA answers) and the countries it serves. */
    public record Edge(String name, List<InetAddress> addresses, List<String> countries, boolean isDefault) {
        public Edge {
            name = name.toLowerCase(Locale.ROOT);
            if (!LABEL.matcher(name).matches()) {
                throw new IllegalArgumentException("edge name \"" + name + "\" is not a DNS label (letters, digits, '-')");
            }
            addresses = List.copyOf(addresses);
            countries = countries.stream().map(country -> country.toUpperCase(Locale.ROOT)).toList();
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("edge " + name + " has no addresses");
            }
            for (String country : countries) {
                if (!CountryCodes.isAssigned(country)) {
                    throw new IllegalArgumentException("edge " + name + ": \"" + country + "\" is not an ISO 3166 country code"
                            + CountryCodes.hintFor(country));
                }
            }
        }

        public List<InetAddress> ipv4() {
            return addresses.stream().filter(address -> !(address instanceof Inet6Address)).toList();
        }

        public List<InetAddress> ipv6() {
            return addresses.stream().filter(address -> address instanceof Inet6Address).toList();
        }
    }

    public EdgeTable {
        zone = trimDots(zone.toLowerCase(Locale.ROOT));
        service = trimDots(service.toLowerCase(Locale.ROOT));
        for (String label : (zone + "." + service).split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("\"" + label + "\" in " + service + "." + zone + " is not a DNS label");
            }
        }
        if (ttlSeconds < 1 || ttlSeconds > 86_400) {
            throw new IllegalArgumentException("ttl " + ttlSeconds + " s (expected 1..86400)");
        }
        edges = List.copyOf(edges);
        if (edges.isEmpty()) {
            throw new IllegalArgumentException("no edges");
        }
        Set<String> names = new HashSet<>();
        Set<String> countries = new HashSet<>();
        int defaults = 0;
        for (Edge edge : edges) {
            if (!names.add(edge.name())) {
                throw new IllegalArgumentException("edge " + edge.name() + " is listed twice");
            }
            for (String country : edge.countries()) {
                if (!countries.add(country)) {
                    throw new IllegalArgumentException(country + " is served by two edges (expected: one edge a country)");
                }
            }
            defaults += edge.isDefault() ? 1 : 0;
        }
        if (defaults != 1) {
            throw new IllegalArgumentException(defaults + " default edges (expected exactly one: it answers for countries no edge"
                    + " lists and for resolvers without a country)");
        }
    }

    /** The name phones resolve: {@code api.example.com}. */
    public String serviceName() {
        return service + "." + zone;
    }

    public Edge defaultEdge() {
        return edges.stream().filter(Edge::isDefault).findFirst().orElseThrow();
    }

    /** The edge that answers for {@code country} (null: unknown), by this table. */
    public Edge edgeFor(String country) {
        if (country != null) {
            Optional<Edge> serving = edges.stream().filter(edge -> edge.countries().contains(country)).findFirst();
            if (serving.isPresent()) {
                return serving.get();
            }
        }
        return defaultEdge();
    }

    /** The edge that owns {@code address}, if any. */
    public Optional<Edge> edgeAt(InetAddress address) {
        return edges.stream().filter(edge -> edge.addresses().contains(address)).findFirst();
    }

    private static String trimDots(String name) {
        String trimmed = name.trim();
        while (trimmed.endsWith(".")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }
}
