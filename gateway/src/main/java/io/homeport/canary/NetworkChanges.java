package io.homeport.canary;

import io.homeport.geoip.GeoIpDatabase;
import io.homeport.routing.CountryLookup;
import io.homeport.routing.IpAddresses;
import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Networks whose country differs between two GeoIP databases, whatever the traffic: every network
 * of each database looked up in the other by its first address (so a network split or merged
 * between the two is compared where it starts). For {@code homeport diff}, off any event loop.
 *
 * @param networks changed networks
 * @param ipv4Addresses how many IPv4 addresses they hold
 * @param byCountry changed networks by {@code "old -> new"} country ({@code -} for none), most first
 * @param examples a few per country change, e.g. {@code 1.2.4.0/22: CN -> US}
 */
public record NetworkChanges(long networks, long ipv4Addresses, Map<String, Long> byCountry, List<String> examples) {

    static final int EXAMPLES_PER_CHANGE = 3;

    public static NetworkChanges between(GeoIpDatabase before, GeoIpDatabase after) throws IOException {
        Set<String> seen = new LinkedHashSet<>();
        Map<String, Long> counts = new HashMap<>();
        Map<String, List<String>> examples = new LinkedHashMap<>();
        long[] ipv4 = {0};
        GeoIpDatabase.NetworkVisitor compare = (network, prefix, ignored) -> {
            String name = IpAddresses.toText(network) + '/' + prefix;
            if (!seen.add(name)) {
                return;
            }
            String from = country(before.lookup(network));
            String to = country(after.lookup(network));
            if (Objects.equals(from, to)) {
                return;
            }
            String change = from + " -> " + to;
            counts.merge(change, 1L, Long::sum);
            if (network instanceof Inet4Address) {
                ipv4[0] += 1L << (32 - prefix);
            }
            List<String> shown = examples.computeIfAbsent(change, c -> new ArrayList<>());
            if (shown.size() < EXAMPLES_PER_CHANGE) {
                shown.add(name + ": " + change);
            }
        };
        after.forEachNetwork(compare);
        before.forEachNetwork(compare);
        Map<String, Long> byCountry = RegionChange.mostFirst(counts);
        List<String> flat = new ArrayList<>();
        byCountry.keySet().forEach(change -> flat.addAll(examples.get(change)));
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        return new NetworkChanges(total, ipv4[0], byCountry, flat);
    }

    private static String country(CountryLookup lookup) {
        return lookup.country() == null ? "-" : lookup.country();
    }
}
