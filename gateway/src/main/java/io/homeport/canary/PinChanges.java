package io.homeport.canary;

import io.homeport.rules.RoutingRules;
import io.homeport.rules.UserPins;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Users whose pin differs between two rules files, read from the users files they name (the files
 * the loader already validated): {@code user -> "old -> new"}, {@code -} for no pin.
 */
public final class PinChanges {

    private PinChanges() {}

    public static Map<String, String> between(RoutingRules before, RoutingRules after) throws IOException {
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

    /** {@code user_id,region} rows, as ResidencyTable reads them: header, blank and {@code #} lines skipped. */
    public static Map<String, String> pins(RoutingRules rules) throws IOException {
        Map<String, String> pins = new TreeMap<>();
        if (rules.residency().users().isEmpty()) {
            return pins;
        }
        Path file = rules.residency().users().map(UserPins::file).orElseThrow();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String row = line.strip();
            if (row.isEmpty() || row.startsWith("#") || row.equals("user_id,region")) {
                continue;
            }
            int comma = row.indexOf(',');
            if (comma > 0) {
                pins.put(row.substring(0, comma).strip(), row.substring(comma + 1).strip());
            }
        }
        return pins;
    }
}
