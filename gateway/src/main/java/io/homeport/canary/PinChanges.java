package io.homeport.canary;

import io.homeport.rules.RoutingRules;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Users whose pin differs between two rules files, from the users tables the loader read and
 * validated with them: {@code user -> "old -> new"}, {@code -} for no pin.
 */
public final class PinChanges {

    private PinChanges() {}

    public static Map<String, String> between(RoutingRules before, RoutingRules after) {
        Map<String, String> old = pins(before);
        Map<String, String> now = pins(after);
        Map<String, String> changes = new TreeMap<>();
        for (String user : new TreeSet<>(union(old, now))) {
            String from = old.get(user);
            String to = now.get(user);
            if (!Objects.equals(from, to)) {
                changes.put(user, (from == null ? "-" : from) + " -> " + (to == null ? "-" : to));
            }
        }
        return changes;
    }

    private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
        java.util.Set<String> users = new java.util.HashSet<>(a.keySet());
        users.addAll(b.keySet());
        return users;
    }

    /** Every pin of the rules' users table, as loaded and validated with the rules: user id to region. */
    public static Map<String, String> pins(RoutingRules rules) {
        Map<String, String> pins = new TreeMap<>();
        rules.residency().users().ifPresent(users -> users.table().forEach(pins::put));
        return pins;
    }
}
