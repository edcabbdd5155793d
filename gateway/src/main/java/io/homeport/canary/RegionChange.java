package io.homeport.canary;

import io.homeport.routing.CountryLookup;
import io.homeport.routing.Decision;
import io.homeport.routing.IpAddresses;
import io.homeport.routing.RoutingSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Decides every sampled request under two snapshots and reports those whose home region differs:
 * the reload canary and {@code homeport diff}. Pure: snapshots and a sample in, a report out.
 */
public final class RegionChange {

    static final int EXAMPLES_PER_TRANSITION = 3;
    /** What a region is called in a report when the request would be refused (503). */
    static final String REFUSED = "refused";

    private RegionChange() {}

    public static RegionChangeReport compare(RoutingSnapshot before, RoutingSnapshot after, List<SampledTraffic> sample) {
        return compare(before, after, sample, entry -> entry.hasUser() ? before.pinOfHash(entry.userHash()) : null,
                entry -> entry.hasUser() ? after.pinOfHash(entry.userHash()) : null);
    }

    /**
     * The same, with the users' pins found by the caller ({@code pinBefore}, {@code pinAfter}: the
     * region an entry's user is pinned to, or null), as {@code homeport diff} does by keyed hash.
     */
    public static RegionChangeReport compare(RoutingSnapshot before, RoutingSnapshot after, List<SampledTraffic> sample,
            Function<SampledTraffic, String> pinBefore, Function<SampledTraffic, String> pinAfter) {
        long sampled = 0;
        long moved = 0;
        Map<String, Long> transitions = new HashMap<>();
        Map<String, Long> countries = new HashMap<>();
        Map<String, List<String>> examples = new LinkedHashMap<>();
        for (SampledTraffic entry : sample) {
            sampled += entry.requests();
            CountryLookup lookupBefore = lookup(before, entry);
            CountryLookup lookupAfter = lookup(after, entry);
            Decision old = before.decideSample(lookupBefore, pinBefore.apply(entry), entry.bucket());
            Decision now = after.decideSample(lookupAfter, pinAfter.apply(entry), entry.bucket());
            String from = old.refused() ? REFUSED : old.region();
            String to = now.refused() ? REFUSED : now.region();
            if (from.equals(to)) {
                continue;
            }
            moved += entry.requests();
            String transition = from + " -> " + to;
            transitions.merge(transition, entry.requests(), Long::sum);
            String country = country(lookupBefore, lookupAfter);
            countries.merge(country, entry.requests(), Long::sum);
            List<String> shown = examples.computeIfAbsent(transition, t -> new ArrayList<>());
            if (shown.size() < EXAMPLES_PER_TRANSITION) {
                shown.add(IpAddresses.toText(entry.network()) + '/' + entry.prefixLength() + " (" + country + "): "
                        + transition + ", " + entry.requests() + (entry.requests() == 1 ? " request" : " requests")
                        + (entry.hasUser() ? " of one user" : ""));
            }
        }
        List<String> flat = new ArrayList<>();
        examples.values().forEach(flat::addAll);
        return new RegionChangeReport(sampled, moved, mostFirst(transitions), mostFirst(countries), flat);
    }

    private static CountryLookup lookup(RoutingSnapshot snapshot, SampledTraffic entry) {
        return IpAddresses.isNonPublic(entry.network()) ? CountryLookup.NON_PUBLIC : snapshot.geo().lookupUncached(entry.network());
    }

    private static String country(CountryLookup before, CountryLookup after) {
        String from = before.country() == null ? "-" : before.country();
        String to = after.country() == null ? "-" : after.country();
        return from.equals(to) ? from : from + " -> " + to;
    }

    /** {@code counts} ordered by count, largest first, ties by key: how every report lists what moved. */
    static Map<String, Long> mostFirst(Map<String, Long> counts) {
        Map<String, Long> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return sorted;
    }
}
