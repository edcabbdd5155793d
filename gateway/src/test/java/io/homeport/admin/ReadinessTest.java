package io.homeport.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadinessTest {

    @Test
    void startsNotReady() {
        Readiness readiness = new Readiness();
        assertThat(readiness.isReady()).isFalse();
        assertThat(readiness.state()).isEqualTo(Readiness.State.STARTING);
    }

    @Test
    void readyUntilDraining() {
        Readiness readiness = new Readiness();
        readiness.markReady();
        assertThat(readiness.isReady()).isTrue();

        readiness.markDraining();
        assertThat(readiness.isReady()).isFalse();
        assertThat(readiness.state()).isEqualTo(Readiness.State.DRAINING);
    }

    @Test
    void drainingIsFinal() {
        Readiness readiness = new Readiness();
        readiness.markDraining();
        readiness.markReady();
        assertThat(readiness.state()).isEqualTo(Readiness.State.DRAINING);
    }
}
