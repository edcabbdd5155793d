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
