package io.homeport.loadtest;

import java.util.Locale;

/** Number formats the three reports share, so that they print the same figure the same way. */
final class Reports {

    private Reports() {}

    /** A latency in milliseconds: three significant digits or so, never scientific notation. */
    static String millis(double ms) {
        if (ms >= 100) {
            return String.format(Locale.ROOT, "%.0f", ms);
        }
        if (ms >= 10) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        return String.format(Locale.ROOT, "%.2f", ms);
    }

    /** A share 0..1 as a percentage with two decimals; "-" when there is nothing to share. */
    static String percent(double share) {
        return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.2f%%", share * 100);
    }

    /** A count or rate, without decimals when it is whole. */
    static String number(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
