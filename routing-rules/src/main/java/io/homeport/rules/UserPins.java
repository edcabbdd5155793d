package io.homeport.rules;

import io.homeport.residency.ResidencyTable;
import java.nio.file.Path;
import java.util.Set;

/**
 * Per-user home-region pins: where they come from, the request header that carries the user id,
 * and — for a users file — the table itself. With {@link Source#REDIS} the gateway's pin directory
 * answers, and {@code strictCountries}/{@code strictRoutes} say whose requests get a 503 instead of
 * their country's region while a pin cannot be read.
 *
 * @param file the users file; null for Redis
 * @param table the file's pins; empty for Redis
 */
public record UserPins(Path file, String identityHeader, ResidencyTable table, Source source, Set<String> strictCountries,
        Set<String> strictRoutes) {

    /** {@code residency.users.source}. */
    public enum Source { FILE, REDIS }

    public UserPins {
        strictCountries = Set.copyOf(strictCountries);
        strictRoutes = Set.copyOf(strictRoutes);
    }

    /** Pins from a users file. */
    public UserPins(Path file, String identityHeader, ResidencyTable table) {
        this(file, identityHeader, table, Source.FILE, Set.of(), Set.of());
    }

    /** Where the pins come from, as explanations say it. */
    public String describe() {
        return source == Source.REDIS ? "Redis" : file.getFileName().toString();
    }
}
