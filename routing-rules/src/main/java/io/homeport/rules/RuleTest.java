package io.homeport.rules;

import java.util.Optional;

/**
 * One entry of a rules file's {@code tests:}: a request and the region it must go to.
 *
 * @param country a country to assume instead of a GeoIP lookup (for tests that need no database)
 * @param expectReason the reason the decision must give, when the test names one
 */
public record RuleTest(
        int line,
        int column,
        Optional<String> ip,
        Optional<String> country,
        Optional<String> user,
        Optional<String> host,
        Optional<String> path,
        String expect,
        Optional<String> expectReason) {}
