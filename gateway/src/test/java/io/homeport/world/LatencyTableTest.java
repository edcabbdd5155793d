package io.homeport.world;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyTableTest {

    @Test
    void measuredRowsAreUsedAsTheyAreInEitherDirection() throws Exception {
        LatencyTable table = LatencyTable.bundled();
        LatencyTable.RoundTrip trip = table.between("Singapore", "Hong Kong");
        assertThat(trip.milliseconds()).isEqualTo(37.5);
        assertThat(trip.measured()).isTrue();
        assertThat(trip.source()).contains("cloudping");
        assertThat(table.between("Hong Kong", "Singapore").milliseconds()).isEqualTo(37.5);
    }

    @Test
    void pairsWithoutAMeasurementAreEstimatedFromDistanceAndTheMeasuredStretch() throws Exception {
        LatencyTable table = LatencyTable.bundled();
        // The median of the measured rows' path stretch over the great circle (10 rows: the mean of the middle two).
        assertThat(table.stretch()).isCloseTo(1.465, within(0.01));
        LatencyTable.RoundTrip trip = table.between("Kuala Lumpur", "Beijing");
        assertThat(trip.measured()).isFalse();
        assertThat(trip.source()).startsWith("ESTIMATE: 4348 km");
        // 4348 km there and back at 200 km/ms is 43.5 ms; times the stretch.
        assertThat(trip.milliseconds()).isCloseTo(43.48 * table.stretch(), within(0.3));
        assertThat(table.between("Beijing", "Beijing").milliseconds()).isEqualTo(LatencyTable.METRO_RTT_MS);
    }

    @Test
    void aRowWithoutItsSourceOrItsCitiesIsRefusedWithItsLine() {
        assertThatThrownBy(() -> LatencyTable.parse("city\tA\t0\t0\ncity\tB\t0\t1\nrtt\tA\tB\t10\n", "t.tsv"))
                .hasMessage("t.tsv:3: an rtt row needs its source (fifth column)");
        assertThatThrownBy(() -> LatencyTable.parse("city\tA\t0\t0\nrtt\tA\tC\t10\tme\n", "t.tsv"))
                .hasMessage("t.tsv:2: list the cities of A - C first (city rows)");
        assertThatThrownBy(() -> LatencyTable.parse("city\tA\t0\n", "t.tsv"))
                .hasMessageStartingWith("t.tsv:1: expected kind");
    }
}
