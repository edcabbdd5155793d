package io.homeport.geoip;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.metrics.GatewayMetrics;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LookupErrorsTest {

    @Test
    void everyFailedLookupIsCountedAndExported() {
        GatewayMetrics metrics = new GatewayMetrics();
        long before = LookupErrors.total();
        for (int i = 0; i < 1000; i++) { // one log line for the burst, not a thousand
            LookupErrors.record(Path.of("world.mmdb"), "1.2.4.8", new IndexOutOfBoundsException("index 7"));
        }
        assertThat(LookupErrors.total()).isEqualTo(before + 1000);
        assertThat(metrics.scrape()).contains("# HELP homeport_geoip_lookup_errors_total")
                .containsPattern("homeport_geoip_lookup_errors_total [0-9.E]+");
    }
}
