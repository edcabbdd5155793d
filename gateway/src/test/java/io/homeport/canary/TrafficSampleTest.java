package io.homeport.canary;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.proxy.CompletedExchange;
import io.homeport.proxy.ExchangeListener;
import io.homeport.residency.MigrationBucket;
import io.homeport.residency.StableHash;
import io.homeport.routing.IpAddresses;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TrafficSampleTest {

    private static InetAddress ip(String literal) {
        return IpAddresses.parseLiteral(literal).orElseThrow();
    }

    @Test
    void countsRequestsByNetworkAndUserTruncatedAsTheAccessLogIs() {
        TrafficSample sample = new TrafficSample(ExchangeListener.NONE);
        for (int i = 0; i < 5; i++) {
            sample.record(ip("1.2.4." + (8 + i)), null);
        }
        sample.record(ip("1.2.4.9"), "u-1");
        sample.record(ip("1.2.4.10"), "u-1");
        sample.record(ip("2400:da00::6666"), null);
        List<SampledTraffic> entries = sample.entries();
        assertThat(entries).hasSize(3);
        SampledTraffic anonymous = entries.get(0);
        assertThat(IpAddresses.toText(anonymous.network())).isEqualTo("1.2.4.0");
        assertThat(anonymous.prefixLength()).isEqualTo(24);
        assertThat(anonymous.requests()).isEqualTo(5);
        assertThat(anonymous.hasUser()).isFalse();
        assertThat(anonymous.bucket()).isEqualTo(MigrationBucket.of(ip("1.2.4.8")));
        SampledTraffic user = entries.get(1);
        assertThat(user.requests()).isEqualTo(2);
        assertThat(user.userHash()).isEqualTo(StableHash.of("u-1"));
        assertThat(user.bucket()).isEqualTo(MigrationBucket.of("u-1"));
        SampledTraffic v6 = entries.get(2);
        assertThat(IpAddresses.toText(v6.network())).isEqualTo("2400:da00::");
        assertThat(v6.prefixLength()).isEqualTo(48);
    }

    @Test
    void isBoundedAndKeepsTheBusiestPairs() {
        TrafficSample sample = new TrafficSample(ExchangeListener.NONE);
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 10; i++) {
                for (int request = 0; request < 5; request++) {
                    sample.record(ip("8.8." + i + ".8"), null); // ten busy networks
                }
            }
            for (int i = 0; i < 20_000; i++) {
                sample.record(IpAddresses.ipv4(0x0b000000 + (round * 20_000 + i) * 256), null); // a flood of one-offs
            }
        }
        List<SampledTraffic> entries = sample.entries();
        assertThat(entries.size()).isLessThanOrEqualTo(TrafficSample.SLOTS);
        assertThat(entries.subList(0, 10)).allSatisfy(entry -> {
            assertThat(IpAddresses.toText(entry.network())).startsWith("8.8.");
            assertThat(entry.requests()).isGreaterThan(50); // of 100: floods landing on their slots took some
        });
    }

    @Test
    void agingHalvesTheCountsAndForgetsOneOffs() {
        TrafficSample sample = new TrafficSample(ExchangeListener.NONE);
        for (int i = 0; i < 8; i++) {
            sample.record(ip("1.2.4.8"), null);
        }
        sample.record(ip("8.8.8.8"), null);
        sample.age();
        assertThat(sample.entries()).singleElement().satisfies(entry -> assertThat(entry.requests()).isEqualTo(4));
    }

    @Test
    void passesEveryRequestOnToTheNextListener() {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        TrafficSample sample = new TrafficSample(new ExchangeListener() {
            @Override
            public void started() {
                started.incrementAndGet();
            }

            @Override
            public void completed(CompletedExchange exchange) {
                completed.incrementAndGet();
            }
        });
        sample.started();
        sample.completed(new CompletedExchange("r", 0, 0, ip("1.2.4.8"), "GET", "h", "/", "u-1", 200, "beijing",
                "default", "country", "CN", null, null));
        assertThat(started).hasValue(1);
        assertThat(completed).hasValue(1);
        assertThat(sample.entries()).singleElement().satisfies(entry -> assertThat(entry.hasUser()).isTrue());
    }
}
