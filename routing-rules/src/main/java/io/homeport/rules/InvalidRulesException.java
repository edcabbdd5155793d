package io.homeport.rules;

import java.util.List;
import java.util.stream.Collectors;

/** A rules or residency file was refused; carries every problem found, not only the first. */
public final class InvalidRulesException extends Exception {

    private final List<Problem> problems;

    public InvalidRulesException(List<Problem> problems) {
        super(problems.stream().sorted().map(Problem::toString).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problems: [] (expected: at least one)");
        }
        this.problems = problems.stream().sorted().toList();
    }

    /** The problems in file, line and column order. */
    public List<Problem> problems() {
        return problems;
    }
}
