package io.homeport.rules;

import java.util.Locale;
import java.util.Set;

/**
 * A phased move of a sticky share of some countries' users to another region. The share is kept
 * in basis points (1/100 of a percent) so that {@code percent: 2.5} is exact. Its {@link State}
 * says whether the share is served from {@code to} yet: only a cut-over (or locked) migration
 * moves anyone.
 */
public record Migration(String name, Set<String> countries, String to, int basisPoints, State state) {

    public static final int ALL = 10_000;

    /**
     * Where a migration stands. Users move to {@code to} only in {@link #CUT_OVER} and {@link #LOCKED};
     * a reload refuses what would move users back without {@link #ROLLED_BACK} (MigrationGuard).
     */
    public enum State {
        /** Nobody moves: the migration is written down, nothing is copied. */
        PLANNED,
        /** The cohort's data is being copied; still served from the source. */
        COPYING,
        /** The cohort (the buckets under {@code percent}) is served from {@code to}. */
        CUT_OVER,
        /** As cut over, and the percent may only rise. */
        LOCKED,
        /** Everyone back on the source, on purpose. */
        ROLLED_BACK;

        /** The state as written in a rules file: {@code cut_over}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether users under the percent are served from {@code to}. */
        public boolean movesUsers() {
            return this == CUT_OVER || this == LOCKED;
        }

        public static State ofKey(String key) {
            for (State state : values()) {
                if (state.key().equals(key)) {
                    return state;
                }
            }
            return null;
        }
    }

    public Migration {
        countries = Set.copyOf(countries);
        if (basisPoints < 0 || basisPoints > ALL) {
            throw new IllegalArgumentException("basisPoints: " + basisPoints + " (expected: 0.." + ALL + ")");
        }
        java.util.Objects.requireNonNull(state, "state");
    }

    /** A cut-over migration: what a rules file without {@code state} says. */
    public Migration(String name, Set<String> countries, String to, int basisPoints) {
        this(name, countries, to, basisPoints, State.CUT_OVER);
    }

    /** The share as the percent an SRE wrote. */
    public double percent() {
        return basisPoints / 100.0;
    }

    /** The share served from {@code to} now: the percent when cut over or locked, else none. */
    public int movedBasisPoints() {
        return state.movesUsers() ? basisPoints : 0;
    }
}
