package io.homeport.routing;

import io.homeport.rules.Migration;
import io.homeport.rules.RoutingRules;
import java.util.List;
import java.util.Map;

/**
 * The residency policy precomputed per country, so that the hot path turns a country into its
 * migration and its region with two array reads instead of set and map lookups and string
 * comparisons. Countries are indexed by {@link #indexOf}: two letters A-Z, plus one slot for "no
 * country". Anything else (not two upper-case letters) has no index, and is decided the slow way.
 */
final class CountryPlans {

    /** Two letters A-Z, plus one slot for "no country". */
    static final int COUNTRIES = 26 * 26 + 1;
    static final int NO_COUNTRY = COUNTRIES - 1;

    private static final int BASIS_POINTS = 0;
    private static final int MIGRATION_REGION = 1;
    private static final int POLICY_REGION = 2;
    private static final int POLICY_REASON = 3;
    private static final int WIDTH = 4;

    /** The migration covering each country, or null. */
    private final Migration[] migrations = new Migration[COUNTRIES];
    /**
     * Per country, side by side so that one cache line holds a country's plan: the migration's
     * basis points (-1 when no migration covers the country), the region index (in {@code regions})
     * a migrated request goes to, the region index of the country's own policy (its mapping, else
     * the default region), and that policy's reason (COUNTRY or DEFAULT) as an ordinal, or -1 when
     * a region is not one of {@code regions} (rules not from the loader): then decide the slow way.
     */
    private final int[] plans = new int[COUNTRIES * WIDTH];
    private static final Reason[] REASONS = Reason.values();

    CountryPlans(RoutingRules rules, List<String> regions) {
        Map<String, String> countries = rules.residency().countries();
        int defaultRegion = regions.indexOf(rules.residency().defaultRegion());
        for (int index = 0; index < COUNTRIES; index++) {
            String country = codeOf(index);
            Migration migration = null;
            if (country != null) {
                // The first migration that lists the country, as the decision has always taken it.
                for (Migration candidate : rules.residency().migrations()) {
                    if (candidate.countries().contains(country)) {
                        migration = candidate;
                        break;
                    }
                }
            }
            int base = index * WIDTH;
            boolean ok = true;
            plans[base + BASIS_POINTS] = -1;
            plans[base + MIGRATION_REGION] = -1;
            if (migration != null) {
                migrations[index] = migration;
                plans[base + BASIS_POINTS] = migration.movedBasisPoints(); // 0 unless cut over or locked
                plans[base + MIGRATION_REGION] = regions.indexOf(migration.to());
                ok = plans[base + MIGRATION_REGION] >= 0;
            }
            String mapped = country == null ? null : countries.get(country);
            int region = mapped != null ? regions.indexOf(mapped) : defaultRegion;
            plans[base + POLICY_REGION] = region;
            plans[base + POLICY_REASON] = ok && region >= 0 ? (mapped != null ? Reason.COUNTRY : Reason.DEFAULT).ordinal() : -1;
        }
    }

    /** The index of a country code, {@link #NO_COUNTRY} for null, or -1 for anything not two letters A-Z. */
    static int indexOf(String country) {
        if (country == null) {
            return NO_COUNTRY;
        }
        if (country.length() != 2) {
            return -1;
        }
        int first = country.charAt(0) - 'A';
        int second = country.charAt(1) - 'A';
        if ((first | second) < 0 || first >= 26 || second >= 26) {
            return -1;
        }
        return first * 26 + second;
    }

    /** The code of {@code index}: the inverse of {@link #indexOf}; null for {@link #NO_COUNTRY}. */
    static String codeOf(int index) {
        return index == NO_COUNTRY ? null : new String(new char[] {(char) ('A' + index / 26), (char) ('A' + index % 26)});
    }

    /** False when the country's regions are not all among the snapshot's: decide it the slow way. */
    boolean indexable(int country) {
        return plans[country * WIDTH + POLICY_REASON] >= 0;
    }

    Migration migration(int country) {
        return migrations[country];
    }

    /** The basis points of the migration covering {@code country}, or -1 when none does. */
    int basisPoints(int country) {
        return plans[country * WIDTH + BASIS_POINTS];
    }

    int migrationRegion(int country) {
        return plans[country * WIDTH + MIGRATION_REGION];
    }

    int policyRegion(int country) {
        return plans[country * WIDTH + POLICY_REGION];
    }

    Reason policyReason(int country) {
        return REASONS[plans[country * WIDTH + POLICY_REASON]];
    }
}
