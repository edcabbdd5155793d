package io.homeport.reload;

import java.util.OptionalDouble;

/**
 * The reload canary's limits ({@code reload:} in gateway.yaml), as shares of recent requests
 * (0.01 is 1%).
 *
 * @param maxRegionChange a new GeoIP database that would move more recent requests to another home
 *     region is refused ({@code reload.max_region_change}, default 1%)
 * @param maxRulesRegionChange the same for a rules file, when set ({@code reload.max_rules_region_change});
 *     by default a rules change is reported, never refused for what it moves: moving users is what
 *     an SRE edits a migration for
 */
public record ReloadSettings(double maxRegionChange, OptionalDouble maxRulesRegionChange) {

    public static final ReloadSettings DEFAULTS = new ReloadSettings(0.01, OptionalDouble.empty());

    public ReloadSettings {
        check("max_region_change", maxRegionChange);
        maxRulesRegionChange.ifPresent(share -> check("max_rules_region_change", share));
    }

    private static void check(String key, double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("reload." + key + ": " + share + " (expected: 0 to 1)");
        }
    }
}
