package io.homeport.reload;

import io.homeport.rules.Migration;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.UserPins;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a new rules file changes, in the words an SRE reads in the reload log: regions, country
 * mappings, migrations and pins, with counts and the first few changes by name.
 */
final class RulesChange {

    /** How many changed names each part lists before it says "and N more". */
    static final int SHOWN = 5;

    private RulesChange() {}

    static String describe(RoutingRules before, RoutingRules after) {
        List<String> parts = new ArrayList<>();
        parts.add(keys("regions", before.regions().keySet(), after.regions().keySet()));
        parts.add(countries(before.residency().countries(), after.residency().countries()));
        if (!Objects.equals(before.residency().defaultRegion(), after.residency().defaultRegion())) {
            parts.add("default region " + before.residency().defaultRegion() + " -> " + after.residency().defaultRegion());
        }
        parts.add(migrations(before.residency().migrations(), after.residency().migrations()));
        int pinsBefore = pins(before);
        int pinsAfter = pins(after);
        parts.add(pinsBefore == pinsAfter ? "pins " + pinsAfter : "pins " + pinsBefore + " -> " + pinsAfter);
        return String.join(", ", parts);
    }

    private static String keys(String what, Set<String> before, Set<String> after) {
        Set<String> added = new TreeSet<>(after);
        added.removeAll(before);
        Set<String> removed = new TreeSet<>(before);
        removed.removeAll(after);
        List<String> changes = new ArrayList<>();
        added.forEach(name -> changes.add("+" + name));
        removed.forEach(name -> changes.add("-" + name));
        return what + " " + after.size() + listed(changes);
    }

    private static String countries(Map<String, String> before, Map<String, String> after) {
        Set<String> all = new TreeSet<>(before.keySet());
        all.addAll(after.keySet());
        List<String> changes = new ArrayList<>();
        for (String country : all) {
            String from = before.get(country);
            String to = after.get(country);
            if (!Objects.equals(from, to)) {
                changes.add(country + " " + (from == null ? "(default)" : from) + " -> " + (to == null ? "(default)" : to));
            }
        }
        return "countries " + after.size() + listed(changes);
    }

    private static String migrations(List<Migration> before, List<Migration> after) {
        List<String> changes = new ArrayList<>();
        for (Migration migration : after) {
            Migration old = before.stream().filter(m -> m.name().equals(migration.name())).findFirst().orElse(null);
            if (old == null) {
                changes.add("+" + migration.name() + " " + percent(migration) + state(migration));
            } else if (!old.equals(migration)) {
                String what = (old.basisPoints() != migration.basisPoints() ? " " + percent(old) + " -> " + percent(migration) : "")
                        + (old.state() != migration.state() ? " " + old.state().key() + " -> " + migration.state().key() : "");
                changes.add(migration.name() + (what.isEmpty() ? " changed" : what));
            }
        }
        for (Migration migration : before) {
            if (after.stream().noneMatch(m -> m.name().equals(migration.name()))) {
                changes.add("-" + migration.name());
            }
        }
        return "migrations " + after.size() + listed(changes);
    }

    /** A state other than the default cut_over, as written. */
    private static String state(Migration migration) {
        return migration.state() == Migration.State.CUT_OVER ? "" : " " + migration.state().key();
    }

    private static String percent(Migration migration) {
        double percent = migration.percent();
        return (percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent)) + "%";
    }

    private static int pins(RoutingRules rules) {
        return rules.residency().users().map(UserPins::table).map(table -> table.size()).orElse(0);
    }

    private static String listed(List<String> changes) {
        if (changes.isEmpty()) {
            return "";
        }
        List<String> shown = changes.subList(0, Math.min(SHOWN, changes.size()));
        String more = changes.size() > SHOWN ? ", and " + (changes.size() - SHOWN) + " more" : "";
        return " (" + String.join(", ", shown) + more + ")";
    }
}
