package io.homeport.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes fixture files for tests (rules YAML, residency CSV) into a test's temporary directory. */
public final class TestFiles {

    private TestFiles() {}

    /** Writes {@code content} as UTF-8 to {@code dir/name}, creating parent directories. */
    public static Path write(Path dir, String name, String content) {
        try {
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes and loads a rules file that must be valid; a refusal fails the test with every problem. */
    public static RoutingRules loadValid(Path dir, String name, String yaml) {
        Path file = write(dir, name, yaml);
        try {
            return new RulesLoader().load(file);
        } catch (InvalidRulesException e) {
            throw new AssertionError("expected valid rules, got:\n" + e.getMessage(), e);
        }
    }
}
