package io.homeport.rules.internal;

import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.Problem;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** Collects every problem of one file so that an SRE sees them all at once. */
public final class Problems {

    private final String file;
    private final List<Problem> problems = new ArrayList<>();

    public Problems(String file) {
        this.file = file;
    }

    public String file() {
        return file;
    }

    public void at(Node node, String message) {
        at(node.getStartMark(), message);
    }

    public void at(Mark mark, String message) {
        if (mark == null) {
            atLine(1, 1, message);
        } else {
            atLine(mark.getLine() + 1, mark.getColumn() + 1, message);
        }
    }

    public void atLine(int line, int column, String message) {
        problems.add(new Problem(file, line, column, message));
    }

    /** A problem located in another file, such as a residency CSV named by the rules. */
    public void add(Problem problem) {
        problems.add(problem);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public List<Problem> list() {
        return List.copyOf(problems);
    }

    /** Throws with every problem collected so far, if there is any. */
    public void throwIfAny() throws InvalidRulesException {
        if (!problems.isEmpty()) {
            throw new InvalidRulesException(problems);
        }
    }
}
