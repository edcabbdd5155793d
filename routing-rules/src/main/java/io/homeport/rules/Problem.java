package io.homeport.rules;

import java.util.Objects;

/**
 * One thing wrong with a configuration file, located the way editors and SREs expect:
 * {@code file:line:col: message}, with 1-based line and column.
 */
public record Problem(String file, int line, int column, String message) implements Comparable<Problem> {

    public Problem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public int compareTo(Problem other) {
        int byFile = file.compareTo(other.file);
        if (byFile != 0) {
            return byFile;
        }
        int byLine = Integer.compare(line, other.line);
        return byLine != 0 ? byLine : Integer.compare(column, other.column);
    }

    @Override
    public String toString() {
        return file + ':' + line + ':' + column + ": " + message;
    }
}
