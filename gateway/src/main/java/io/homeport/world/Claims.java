package io.homeport.world;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The claims reported for the 2014 move, checked against the world's 2014 and residency scenarios:
 * whether the world reproduces each claim's direction, and its rough size — within a factor of two
 * of the claimed figure (for a speed-up, of the time saved; for a range, of its ends).
 */
public final class Claims {

    /** The figures a claim is checked on: a market's p50, p90 and p99 (ms) in 2014 and with residency. */
    public record Percentiles(double p50, double p90, double p99) {}

    public enum Verdict {
        REPRODUCED("reproduced: direction and rough size"),
        DIRECTION_ONLY("direction reproduced, size not"),
        NOT_REPRODUCED("not reproduced");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** One row of the report: the claim, what the world measured, and the verdict. */
    public record Check(String claim, String market, String measured, Verdict verdict) {}

    private Claims() {}

    /** {@code before}: 2014; {@code after}: residency routing; by market. */
    public static List<Check> check(Map<String, Percentiles> before, Map<String, Percentiles> after) {
        List<Check> checks = new ArrayList<>();
        for (String market : List.of("HK", "SG", "TW")) {
            if (before.containsKey(market) && after.containsKey(market)) {
                double faster = 1 - after.get(market).p50() / before.get(market).p50();
                checks.add(new Check("About 30% faster in Hong Kong, Singapore and Taiwan", market,
                        String.format(Locale.ROOT, "p50 %.0f → %.0f ms: %s", before.get(market).p50(), after.get(market).p50(), percent(faster)),
                        verdict(faster > 0, faster >= 0.15 && faster <= 0.60)));
            }
        }
        if (before.containsKey("IN") && after.containsKey("IN")) {
            Percentiles b = before.get("IN");
            Percentiles a = after.get("IN");
            double drop = Math.max(b.p50() - a.p50(), Math.max(b.p90() - a.p90(), b.p99() - a.p99()));
            checks.add(new Check("India's network latency down by up to 340 ms", "IN",
                    String.format(Locale.ROOT, "largest drop of p50/p90/p99: %.0f ms (p50 %.0f → %.0f ms)", drop, b.p50(), a.p50()),
                    verdict(drop > 0, drop >= 170 && drop <= 680)));
        }
        if (before.containsKey("MY") && after.containsKey("MY")) {
            double ratio = before.get("MY").p50() / after.get("MY").p50();
            // A photo sync is a run of such requests one after another: its time scales with one request's.
            checks.add(new Check("Photo sync in Malaysia 2–3× faster", "MY",
                    String.format(Locale.ROOT, "p50 %.0f → %.0f ms: %.1f× faster", before.get("MY").p50(), after.get("MY").p50(), ratio),
                    verdict(ratio > 1, ratio >= 1.5 && ratio <= 5)));
        }
        if (before.containsKey("CN") && after.containsKey("CN")) {
            double change = after.get("CN").p50() / before.get("CN").p50() - 1;
            boolean unchanged = Math.abs(change) <= 0.10;
            checks.add(new Check("China unchanged", "CN",
                    String.format(Locale.ROOT, "p50 %.0f → %.0f ms (%+.0f%%)", before.get("CN").p50(), after.get("CN").p50(), change * 100),
                    unchanged ? Verdict.REPRODUCED : Verdict.NOT_REPRODUCED));
        }
        return checks;
    }

    private static Verdict verdict(boolean direction, boolean size) {
        return !direction ? Verdict.NOT_REPRODUCED : size ? Verdict.REPRODUCED : Verdict.DIRECTION_ONLY;
    }

    private static String percent(double faster) {
        return faster >= 0 ? String.format(Locale.ROOT, "%.0f%% faster", faster * 100)
                : String.format(Locale.ROOT, "%.0f%% slower", -faster * 100);
    }
}
