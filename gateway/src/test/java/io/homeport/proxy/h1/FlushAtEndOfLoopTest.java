package io.homeport.proxy.h1;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlushAtEndOfLoopTest {

    @Test
    void waitsForTheEndOfTheTurnOnlyInAProcessWithOneCpu() {
        assertThat(FlushAtEndOfLoop.batches(null, 1)).isTrue();
        assertThat(FlushAtEndOfLoop.batches(null, 2)).isFalse();
        assertThat(FlushAtEndOfLoop.batches(null, 64)).isFalse();
    }

    @Test
    void thePropertyOverridesTheDefaultEitherWay() {
        assertThat(FlushAtEndOfLoop.batches("true", 8)).isTrue();
        assertThat(FlushAtEndOfLoop.batches("false", 1)).isFalse();
    }

    @Test
    void anyOtherValueKeepsTheDefault() {
        assertThat(FlushAtEndOfLoop.batches("", 1)).isTrue();
        assertThat(FlushAtEndOfLoop.batches("yes", 2)).isFalse();
    }
}
