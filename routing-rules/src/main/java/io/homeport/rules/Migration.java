package io.homeport.rules;

import java.util.Set;

/**
 * A phased move of a sticky share of some countries' users to another region. The share is kept
 * in basis points (1/100 of a percent) so that {@code percent: 2.5} is exact.
 */
public record Migration(String name, Set<String> countries, String to, int basisPoints) {

    public static final int ALL = 10_000;

    public Migration {
        countries = Set.copyOf(countries);
        if (basisPoints < 0 || basisPoints > ALL) {
            throw new IllegalArgumentException("basisPoints: " + basisPoints + " (expected: 0.." + ALL + ")");
        }
    }

    /** The share as the percent an SRE wrote. */
    public double percent() {
        return basisPoints / 100.0;
    }
}
