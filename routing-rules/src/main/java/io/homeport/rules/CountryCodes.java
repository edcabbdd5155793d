package io.homeport.rules;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** ISO 3166-1 alpha-2 country codes, as assigned, plus XK (Kosovo), which GeoIP databases use. */
public final class CountryCodes {

    private static final Set<String> ASSIGNED = assigned();

    private CountryCodes() {}

    public static boolean isAssigned(String code) {
        return ASSIGNED.contains(code);
    }

    /** A hint for a common mistake, or an empty string. */
    public static String hintFor(String code) {
        String upper = code.toUpperCase(Locale.ROOT);
        if ("UK".equals(upper)) {
            return " (did you mean \"GB\"?)";
        }
        if (!upper.equals(code) && isAssigned(upper)) {
            return " (did you mean \"" + upper + "\"? codes are upper case)";
        }
        return "";
    }

    private static Set<String> assigned() {
        Set<String> codes = new HashSet<>(Set.of(Locale.getISOCountries()));
        codes.add("XK");
        return Set.copyOf(codes);
    }
}
