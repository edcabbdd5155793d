package io.homeport.canary;

import io.homeport.residency.MigrationBucket;
import io.homeport.routing.CountryLookup;
import io.homeport.routing.RoutingSnapshot;
import io.homeport.rules.Migration;
import io.homeport.rules.RoutingRules;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Countries whose users the rules send elsewhere, whatever the traffic: for every country either
 * rules file names (and "every other country", through the default region), the share of migration
 * buckets that lands in each region under each file.
 */
public final class CountryChanges {

    /** What {@link #between} calls the countries the rules do not name. */
    public static final String OTHER_COUNTRIES = "other countries";

    private CountryChanges() {}

    /** {@code country -> "us 100% -> us 50%, singapore 50%"}, only where the split differs. */
    public static Map<String, String> between(RoutingSnapshot before, RoutingSnapshot after) {
        TreeSet<String> countries = new TreeSet<>();
        named(before.rules(), countries);
        named(after.rules(), countries);
        Map<String, String> changes = new LinkedHashMap<>();
        for (String country : countries) {
            compare(before, after, country, CountryLookup.found(country, null), changes);
        }
        // "ZZ" is no assigned country: it stands for every country no rule names.
        compare(before, after, OTHER_COUNTRIES, CountryLookup.found("ZZ", null), changes);
        return changes;
    }

    private static void compare(RoutingSnapshot before, RoutingSnapshot after, String label, CountryLookup lookup,
            Map<String, String> changes) {
        String old = split(before, lookup);
        String now = split(after, lookup);
        if (!old.equals(now)) {
            changes.put(label, old + " -> " + now);
        }
    }

    private static void named(RoutingRules rules, TreeSet<String> countries) {
        countries.addAll(rules.residency().countries().keySet());
        for (Migration migration : rules.residency().migrations()) {
            countries.addAll(migration.countries());
        }
    }

    /** {@code "us 75%, singapore 25%"}: where the country's buckets go, largest share first (ties by name). */
    private static String split(RoutingSnapshot snapshot, CountryLookup lookup) {
        Map<String, Integer> buckets = new LinkedHashMap<>();
        for (int bucket = 0; bucket < MigrationBucket.BUCKETS; bucket++) {
            buckets.merge(snapshot.decideSample(lookup, 0, bucket).region(), 1, Integer::sum);
        }
        StringBuilder text = new StringBuilder();
        buckets.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(entry -> {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(entry.getKey()).append(' ')
                    .append(String.format(Locale.ROOT, "%.2f%%", entry.getValue() * 100.0 / MigrationBucket.BUCKETS)
                            .replace(".00%", "%"));
        });
        return text.toString();
    }
}
