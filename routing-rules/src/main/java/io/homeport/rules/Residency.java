package io.homeport.rules;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The residency policy: country to region, phased migrations, per-user pins and the default. */
public record Residency(
        String defaultRegion, Map<String, String> countries, List<Migration> migrations, Optional<UserPins> users) {

    public Residency {
        countries = Map.copyOf(countries);
        migrations = List.copyOf(migrations);
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
