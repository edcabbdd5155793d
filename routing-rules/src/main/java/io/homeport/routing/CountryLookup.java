package io.homeport.routing;

/**
 * What a GeoIP database said about one address.
 *
 * @param country the ISO 3166-1 alpha-2 code, or null when {@link #outcome} is not FOUND
 * @param network the database network that matched (e.g. {@code 1.2.4.0/22}), or null
 * @param countryIndex the country's index for the decision's per-country tables: derived from
 *     {@code country} (two letters A-Z: 0 to 675; null: 676; anything else: -1), kept here so the
 *     hot path need not read the code's characters
 */
public record CountryLookup(String country, Outcome outcome, String network, int countryIndex) {

    public CountryLookup {
        if (countryIndex != CountryPlans.indexOf(country)) {
            throw new IllegalArgumentException("countryIndex: " + countryIndex + " (expected: "
                    + CountryPlans.indexOf(country) + " for " + country + ")");
        }
    }

    public CountryLookup(String country, Outcome outcome, String network) {
        this(country, outcome, network, CountryPlans.indexOf(country));
    }

    public enum Outcome {
        /** The database has a record with a country for the address. */
        FOUND,
        /** The database has a record for the address, but it names no country. */
        NO_COUNTRY,
        /** The database has no record for the address. */
        NOT_FOUND,
        /** A private, loopback, link-local or otherwise non-public address: never looked up. */
        NON_PUBLIC,
        /** The lookup failed (for example a damaged database); counted and logged by the adapter. */
        FAILED
    }

    public static final CountryLookup NOT_FOUND = new CountryLookup(null, Outcome.NOT_FOUND, null);
    public static final CountryLookup NON_PUBLIC = new CountryLookup(null, Outcome.NON_PUBLIC, null);
    public static final CountryLookup FAILED = new CountryLookup(null, Outcome.FAILED, null);

    /** The largest {@link #codeOf answer code}: they fit in ten bits. */
    public static final int MAX_CODE = 679;
    private static final int NO_COUNTRY_CODE = 677;
    private static final int NOT_FOUND_CODE = 678;
    private static final int NON_PUBLIC_CODE = 679;
    private static final CountryLookup[] BY_CODE = new CountryLookup[MAX_CODE + 1];

    static {
        for (int index = 0; index < 676; index++) {
            BY_CODE[1 + index] = new CountryLookup(CountryPlans.codeOf(index), Outcome.FOUND, null);
        }
        BY_CODE[NO_COUNTRY_CODE] = new CountryLookup(null, Outcome.NO_COUNTRY, null);
        BY_CODE[NOT_FOUND_CODE] = NOT_FOUND;
        BY_CODE[NON_PUBLIC_CODE] = NON_PUBLIC;
    }

    /**
     * The answer as a small number, for tables that keep answers in a few bits of a word (the GeoIP
     * cache, the X-Forwarded-For memo): 1 + the country's index, then no country, not found and
     * non-public. The network is not part of it: {@link #ofCode} gives the answer without one. 0
     * for an answer no table may keep: a failure (retried, never remembered) or an unusual country.
     */
    public static int codeOf(CountryLookup answer) {
        switch (answer.outcome()) {
            case FOUND:
                int index = answer.countryIndex();
                return index >= 0 && index < 676 ? 1 + index : 0;
            case NO_COUNTRY:
                return NO_COUNTRY_CODE;
            case NOT_FOUND:
                return NOT_FOUND_CODE;
            case NON_PUBLIC:
                return NON_PUBLIC_CODE;
            default:
                return 0;
        }
    }

    /** The one shared answer, without a network, that {@code code} (1 to {@link #MAX_CODE}) stands for. */
    public static CountryLookup ofCode(int code) {
        return BY_CODE[code];
    }

    public static CountryLookup found(String country, String network) {
        return new CountryLookup(country, Outcome.FOUND, network);
    }

    public static CountryLookup noCountry(String network) {
        return new CountryLookup(null, Outcome.NO_COUNTRY, network);
    }

    public boolean isFound() {
        return outcome == Outcome.FOUND;
    }
}
