package io.homeport.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    @Test
    void allowsRetriesUpToTheRatioOfRequests() {
        RetryBudget budget = new RetryBudget(0.2, 0);
        for (int i = 0; i < 100; i++) {
            budget.requestStarted();
        }
        int allowed = 0;
        while (budget.tryRetry(0) && allowed < 1000) {
            allowed++;
        }
        assertThat(allowed).isEqualTo(20);
    }

    @Test
    void aQuietGatewayStillGetsItsFloorEachSecond() {
        RetryBudget budget = new RetryBudget(0.2, 3);
        long second = 5_000_000_000L;
        assertThat(budget.tryRetry(second)).isTrue();
        assertThat(budget.tryRetry(second)).isTrue();
        assertThat(budget.tryRetry(second)).isTrue();
        assertThat(budget.tryRetry(second)).isFalse();
        assertThat(budget.tryRetry(second + 1_000_000_000L)).as("a new second").isTrue();
    }

    @Test
    void refusesANonsenseRatio() {
        assertThatThrownBy(() -> new RetryBudget(0, 1)).hasMessageContaining("ratio: 0.0");
    }
}
