package io.homeport.loadtest;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Where each market's clients should go according to the rules: {@code CN->beijing, IN->us 74%/singapore 26%}. */
final class ExpectedRegions {

    private ExpectedRegions() {}

    static String describe(ClientPopulation population) {
        return population.mix().weights().keySet().stream()
                .map(market -> market + "->" + shares(population, market))
                .collect(Collectors.joining(", "));
    }

    static String shares(Map<String, Long> byRegion) {
        long total = byRegion.values().stream().mapToLong(Long::longValue).sum();
        if (byRegion.size() == 1) {
            return byRegion.keySet().iterator().next();
        }
        return byRegion.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(entry -> entry.getKey() + " " + percent(entry.getValue(), total))
                .collect(Collectors.joining("/"));
    }

    /** A whole percentage that never rounds a minority away: 3 of 1000 is "<1%", 997 of 1000 ">99%". */
    static String percent(long part, long total) {
        double percent = 100.0 * part / total;
        if (part > 0 && percent < 0.5) {
            return "<1%";
        }
        if (part < total && percent >= 99.5) {
            return ">99%";
        }
        return String.format(Locale.ROOT, "%.0f%%", percent);
    }

    private static String shares(ClientPopulation population, String market) {
        Map<String, Long> byRegion = new TreeMap<>();
        population.clients(market).forEach(client -> byRegion.merge(client.expectedRegion(), 1L, Long::sum));
        return shares(byRegion);
    }
}
