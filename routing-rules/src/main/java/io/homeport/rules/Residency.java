package io.homeport.rules;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The residency policy: country to region, phased migrations, per-user pins, the default, and what
 * a request whose GeoIP lookup failed gets.
 */
public record Residency(String defaultRegion, Map<String, String> countries, List<Migration> migrations,
        Optional<UserPins> users, OnLookupError onLookupError) {

    /**
     * {@code residency.on_lookup_error}: where a request goes when the GeoIP lookup of its client
     * failed (a pinned user still goes to their pin). The default is {@link #REJECT}: guessing the
     * default region would send, say, a mainland Chinese user's request to the US.
     */
    public enum OnLookupError {
        /** 503 with {@code Retry-After}: fail closed. */
        REJECT,
        /** The default region, with the reason {@code lookup_error}. */
        DEFAULT_REGION;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Residency {
        countries = Map.copyOf(countries);
        migrations = List.copyOf(migrations);
    }

    public Residency(String defaultRegion, Map<String, String> countries, List<Migration> migrations,
            Optional<UserPins> users) {
        this(defaultRegion, countries, migrations, users, OnLookupError.REJECT);
    }

    /** The migration that covers {@code country}, if any; validation guarantees at most one. */
    public Optional<Migration> migrationFor(String country) {
        for (Migration migration : migrations) {
            if (migration.countries().contains(country)) {
                return Optional.of(migration);
            }
        }
        return Optional.empty();
    }
}
