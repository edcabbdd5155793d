package io.homeport.rules;

import java.nio.file.Path;
import java.time.Instant;

/** Where a rules snapshot came from: the file, its SHA-256, and when it was loaded. */
public record RulesSource(Path file, String sha256, Instant loadedAt) {}
