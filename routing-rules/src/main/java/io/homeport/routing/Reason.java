package io.homeport.routing;

import java.util.Locale;

/** Why a request went to its region, in decision order. Metrics are tagged by {@link #label()}. */
public enum Reason {
    /** The user is pinned to a region in the residency table. */
    PIN,
    /** The user's (or address's) bucket is inside a migration of the client's country. */
    MIGRATION,
    /** The client's country maps to a region. */
    COUNTRY,
    /** No country is known for the client, or the country has no mapping. */
    DEFAULT,
    /**
     * The GeoIP lookup failed (a damaged database): the request goes where {@code
     * residency.on_lookup_error} says, the default region or nowhere (503).
     */
    LOOKUP_ERROR,
    /**
     * The user's pin could not be read (its store is away): decided by country and migration as if
     * unpinned, or refused (503) for the countries and routes listed as strict.
     */
    PIN_UNAVAILABLE;

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label() {
        return label;
    }
}
