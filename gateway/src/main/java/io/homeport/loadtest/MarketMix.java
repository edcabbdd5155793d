package io.homeport.loadtest;

import io.homeport.rules.CountryCodes;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which markets the traffic comes from, and in what proportion: country code to a positive weight,
 * in the order given. Weights are relative ({@code CN=2,US=1} is two thirds China), so they need
 * not add up to 100.
 */
public record MarketMix(Map<String, Integer> weights) {

    /** A mix any measurement can start from: the large Asian markets plus the US and Brazil. */
    public static final String DEFAULT = "CN=40,IN=20,ID=10,SG=5,MY=5,US=10,BR=10";

    static final int MAX_WEIGHT = 1_000_000;

    public MarketMix {
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("the mix names no market (expected: e.g. " + DEFAULT + ")");
        }
        weights.forEach(MarketMix::check);
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    /** Parses {@code CN=40,IN=20,...}; the message of the exception says what is wrong and where. */
    public static MarketMix parse(String text) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (String entry : text.split(",", -1)) {
            String trimmed = entry.trim();
            int equals = trimmed.indexOf('=');
            if (equals <= 0 || equals == trimmed.length() - 1) {
                throw new IllegalArgumentException("\"" + trimmed + "\" (expected: COUNTRY=WEIGHT, e.g. CN=40)");
            }
            String country = trimmed.substring(0, equals).trim();
            String weight = trimmed.substring(equals + 1).trim();
            int value;
            try {
                value = Integer.parseInt(weight);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(country + ": weight \"" + weight + "\" is not a whole number (expected: 1.."
                        + MAX_WEIGHT + ")");
            }
            if (weights.put(country, value) != null) {
                throw new IllegalArgumentException(country + " is given twice (expected: each market once)");
            }
        }
        return new MarketMix(weights);
    }

    public int totalWeight() {
        return weights.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** This market's share of the traffic, 0..1. */
    public double share(String market) {
        return (double) weights.getOrDefault(market, 0) / totalWeight();
    }

    /** Back to the {@code --mix} syntax. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        weights.forEach((country, weight) -> text.append(text.length() == 0 ? "" : ",").append(country).append('=').append(weight));
        return text.toString();
    }

    private static void check(String country, Integer weight) {
        if (!CountryCodes.isAssigned(country)) {
            throw new IllegalArgumentException("\"" + country + "\" is not an ISO 3166-1 alpha-2 country code"
                    + CountryCodes.hintFor(country));
        }
        if (weight == null || weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException(country + ": weight " + weight + " (expected: 1.." + MAX_WEIGHT + ")");
        }
    }
}
