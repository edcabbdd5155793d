package io.homeport.rules;

import io.homeport.residency.ResidencyTable;
import java.nio.file.Path;

/**
 * Per-user home-region pins: where the table was loaded from, the request header that carries the
 * user id, and the table itself.
 */
public record UserPins(Path file, String identityHeader, ResidencyTable table) {}
