package io.homeport.world;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimsTest {

    static Claims.Percentiles ms(double p50, double p90, double p99) {
        return new Claims.Percentiles(p50, p90, p99);
    }

    @Test
    void eachClaimIsJudgedOnDirectionAndRoughSize() {
        Map<String, Claims.Percentiles> before = Map.of("HK", ms(100, 110, 120), "SG", ms(100, 110, 120), "TW", ms(50, 55, 60),
                "IN", ms(500, 520, 540), "MY", ms(90, 95, 99), "CN", ms(25, 26, 27));
        Map<String, Claims.Percentiles> after = Map.of("HK", ms(70, 75, 80), "SG", ms(20, 25, 30), "TW", ms(70, 75, 80),
                "IN", ms(200, 210, 220), "MY", ms(30, 32, 35), "CN", ms(25.5, 26, 27));
        List<Claims.Check> checks = Claims.check(before, after);
        assertThat(checks).extracting(Claims.Check::market, Claims.Check::verdict).containsExactly(
                org.assertj.core.groups.Tuple.tuple("HK", Claims.Verdict.REPRODUCED),          // 30% faster
                org.assertj.core.groups.Tuple.tuple("SG", Claims.Verdict.DIRECTION_ONLY),      // 80%: more than twice 30%
                org.assertj.core.groups.Tuple.tuple("TW", Claims.Verdict.NOT_REPRODUCED),      // slower
                org.assertj.core.groups.Tuple.tuple("IN", Claims.Verdict.REPRODUCED),          // 320 ms less at p99
                org.assertj.core.groups.Tuple.tuple("MY", Claims.Verdict.REPRODUCED),          // 3x
                org.assertj.core.groups.Tuple.tuple("CN", Claims.Verdict.REPRODUCED));         // +2%
        assertThat(checks.get(3).measured()).startsWith("largest drop of p50/p90/p99: 320 ms");
    }

    @Test
    void boundsOfRoughSize() {
        assertThat(Claims.check(Map.of("IN", ms(300, 300, 300)), Map.of("IN", ms(140, 140, 140))).get(0).verdict())
                .isEqualTo(Claims.Verdict.DIRECTION_ONLY); // 160 ms: under half of 340
        assertThat(Claims.check(Map.of("MY", ms(100, 100, 100)), Map.of("MY", ms(70, 70, 70))).get(0).verdict())
                .isEqualTo(Claims.Verdict.DIRECTION_ONLY); // 1.4x: under 1.5x
        assertThat(Claims.check(Map.of("CN", ms(25, 25, 25)), Map.of("CN", ms(30, 30, 30))).get(0).verdict())
                .isEqualTo(Claims.Verdict.NOT_REPRODUCED); // China 20% slower
    }
}
