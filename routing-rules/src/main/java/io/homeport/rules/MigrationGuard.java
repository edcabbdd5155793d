package io.homeport.rules;

import io.homeport.rules.internal.Problems;
import io.homeport.rules.internal.SafeYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Refuses a rules change that would move migrated users back to where they came from without
 * saying so. Once a migration is cut over (or locked), the users under its percent are served from
 * its {@code to} region — their data lives there now. The next rules may raise the percent, lock
 * it, or finish the move by mapping the country to {@code to} and deleting the migration; moving
 * anyone back takes {@code state: rolled_back}. Refused, each with the new file's
 * {@code file:line:col} and what to do instead:
 * <ul>
 *   <li>a lower percent;</li>
 *   <li>a state that serves nobody from {@code to} (planned, copying) other than rolled_back;</li>
 *   <li>another {@code to};</li>
 *   <li>a country leaving the migration, or the migration deleted, while the country is not mapped
 *       to {@code to} in {@code residency.countries} (a migration of another name that takes over
 *       the country with the same {@code to} continues it: buckets do not depend on names).</li>
 * </ul>
 * Pure: both rules in, problems out. The reload and {@code homeport validate --previous} call it.
 */
public final class MigrationGuard {

    private MigrationGuard() {}

    public static List<Problem> check(RoutingRules previous, RoutingRules next) {
        Positions at = Positions.of(next);
        List<Problem> problems = new ArrayList<>();
        Map<String, Migration> nextByName = new HashMap<>();
        next.residency().migrations().forEach(m -> nextByName.put(m.name(), m));
        for (Migration before : previous.residency().migrations()) {
            if (!before.state().movesUsers() || before.basisPoints() == 0) {
                continue; // nobody was moved: nothing can be moved back
            }
            String moved = describe(before);
            Migration after = nextByName.get(before.name());
            if (after == null) {
                for (String country : new TreeSet<>(before.countries())) {
                    Migration renamed = next.residency().migrationFor(country).filter(m -> m.to().equals(before.to())).orElse(null);
                    if (renamed != null) {
                        // Buckets do not depend on the name: a renamed phase continues this one.
                        if (renamed.state() != Migration.State.ROLLED_BACK && !renamed.state().movesUsers()) {
                            problems.add(at.state(renamed.name(), "migration \"" + renamed.name() + "\" continues \"" + before.name()
                                    + "\" (" + moved + ") for " + country + " but its state " + renamed.state().key()
                                    + " would serve the moved users from " + sourceOf(next, country)
                                    + " again; set state: rolled_back to move them back on purpose"));
                        } else if (renamed.state().movesUsers() && renamed.basisPoints() < before.basisPoints()) {
                            problems.add(at.percent(renamed.name(), "migration \"" + renamed.name() + "\" continues \"" + before.name()
                                    + "\" (" + moved + ") for " + country + " at a lower percent, " + percent(before) + " -> "
                                    + percent(renamed) + ": the users in buckets " + renamed.basisPoints() + ".."
                                    + (before.basisPoints() - 1) + " would go back from " + before.to() + "; keep at least "
                                    + percent(before) + ", or set state: rolled_back to move everyone back on purpose"));
                        }
                        continue;
                    }
                    if (!before.to().equals(next.residency().countries().get(country))) {
                        problems.add(at.migrations(country + " is no longer in migration \"" + before.name() + "\" (" + moved
                                + ") and not mapped to " + before.to() + " in residency.countries: its moved users would go back to "
                                + sourceOf(next, country) + ". Map " + country + ": " + before.to() + " to finish the move, or keep the"
                                + " migration with state: rolled_back to move them back on purpose"));
                    }
                }
                continue;
            }
            if (after.state() == Migration.State.ROLLED_BACK) {
                continue; // moving them back, on purpose
            }
            if (!after.state().movesUsers()) {
                problems.add(at.state(after.name(), "migration \"" + after.name() + "\": state " + before.state().key() + " -> "
                        + after.state().key() + " would serve its moved users (" + moved + ") from " + sourceOf(next, first(before))
                        + " again; set state: rolled_back to move them back on purpose"));
            }
            if (!after.to().equals(before.to())) {
                problems.add(at.migration(after.name(), "migration \"" + after.name() + "\": to " + before.to() + " -> " + after.to()
                        + " would move its moved users (" + moved + ") again, without their data; roll this one back"
                        + " (state: rolled_back) and start a new migration"));
            } else if (after.basisPoints() < before.basisPoints()) {
                problems.add(at.percent(after.name(), "migration \"" + after.name() + "\": percent " + percent(before) + " -> "
                        + percent(after) + " would move the users in buckets " + after.basisPoints() + ".." + (before.basisPoints() - 1)
                        + " back from " + before.to() + " (a " + before.state().key() + " migration's percent may only rise);"
                        + " keep " + percent(before) + ", or set state: rolled_back to move everyone back on purpose"));
            }
            Set<String> left = new TreeSet<>(before.countries());
            left.removeAll(after.countries());
            for (String country : left) {
                if (!before.to().equals(next.residency().countries().get(country))) {
                    problems.add(at.migration(after.name(), country + " left migration \"" + after.name() + "\" (" + moved
                            + ") but is not mapped to " + before.to() + " in residency.countries: its moved users would go back to "
                            + sourceOf(next, country) + "; map " + country + ": " + before.to() + " first"));
                }
            }
        }
        problems.sort(null);
        return problems;
    }

    private static String describe(Migration migration) {
        return migration.state().key() + ", " + percent(migration) + "% of " + String.join(", ", new TreeSet<>(migration.countries()))
                + " on " + migration.to();
    }

    private static String percent(Migration migration) {
        double percent = migration.percent();
        return percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent);
    }

    private static String first(Migration migration) {
        return new TreeSet<>(migration.countries()).first();
    }

    /** Where a country's users not moved by a migration are served under {@code rules}. */
    private static String sourceOf(RoutingRules rules, String country) {
        return rules.residency().countries().getOrDefault(country, rules.residency().defaultRegion());
    }

    /** Where things are in the new file: the rules model keeps no positions, so the file is read again. */
    private static final class Positions {
        private final String file;
        private final Map<String, Mark> migrationNodes = new HashMap<>();
        private final Map<String, Mark> percents = new HashMap<>();
        private final Map<String, Mark> states = new HashMap<>();
        private Mark migrationsKey;

        private Positions(String file) {
            this.file = file;
        }

        static Positions of(RoutingRules rules) {
            String file = rules.source() == null ? "rules" : rules.source().file().toString();
            Positions positions = new Positions(file);
            try {
                if (rules.source() != null) {
                    String text = Files.readString(rules.source().file());
                    SafeYaml.parse(text, new Problems(file)).ifPresent(positions::index);
                }
            } catch (IOException | RuntimeException unreadable) {
                // Positions are a help: without them the problems point at the file's first line.
            }
            return positions;
        }

        private void index(Node root) {
            Optional<Node> residency = child(root, "residency");
            if (residency.isEmpty()) {
                return;
            }
            migrationsKey = key(residency.get(), "migrations").orElse(residency.get()).getStartMark();
            if (!(child(residency.get(), "migrations").orElse(null) instanceof SequenceNode list)) {
                return;
            }
            for (Node item : list.getValue()) {
                Optional<Node> name = child(item, "name");
                if (name.isPresent() && name.get() instanceof ScalarNode scalar) {
                    migrationNodes.put(scalar.getValue(), item.getStartMark());
                    child(item, "percent").ifPresent(node -> percents.put(scalar.getValue(), node.getStartMark()));
                    child(item, "state").ifPresent(node -> states.put(scalar.getValue(), node.getStartMark()));
                }
            }
        }

        Problem migrations(String message) {
            return problem(migrationsKey, message);
        }

        Problem migration(String name, String message) {
            return problem(migrationNodes.getOrDefault(name, migrationsKey), message);
        }

        Problem percent(String name, String message) {
            return problem(percents.getOrDefault(name, migrationNodes.getOrDefault(name, migrationsKey)), message);
        }

        Problem state(String name, String message) {
            return problem(states.getOrDefault(name, migrationNodes.getOrDefault(name, migrationsKey)), message);
        }

        private Problem problem(Mark mark, String message) {
            return mark == null ? new Problem(file, 1, 1, message) : new Problem(file, mark.getLine() + 1, mark.getColumn() + 1, message);
        }

        private static Optional<Node> child(Node node, String key) {
            return tuple(node, key).map(NodeTuple::getValueNode);
        }

        private static Optional<Node> key(Node node, String key) {
            return tuple(node, key).map(NodeTuple::getKeyNode);
        }

        private static Optional<NodeTuple> tuple(Node node, String key) {
            if (node instanceof MappingNode mapping) {
                for (NodeTuple tuple : mapping.getValue()) {
                    if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
                        return Optional.of(tuple);
                    }
                }
            }
            return Optional.empty();
        }
    }
}
