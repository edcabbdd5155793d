package io.homeport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.net.Cidr;
import io.homeport.routing.IpAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ForwardedForMemoTest {

    private static final String IPV6 = "2409:4042:2d8b:1c4e:5a1:9f3e:ab3:7d0a";

    private final ForwardedForMemo memo = new ForwardedForMemo();
    private final ForwardedForMemo.Probe probe = new ForwardedForMemo.Probe();
    private final Object geo = new Object();

    private void remember(String value, int hop, int code, int epoch) {
        assertThat(memo.find(value, epoch, probe)).isEqualTo(ForwardedForMemo.MISS);
        probe.bits[0] = 0x2409_4042_2d8b_1c4eL;
        probe.bits[1] = value.length();
        memo.remember(probe, hop, code, epoch);
    }

    @Test
    void aRememberedValueIsFoundWithItsClientHopAndCountry() {
        int epoch = memo.epochOf(geo);
        remember(IPV6, 0, 45, epoch);

        int found = memo.find(IPV6, epoch, probe);

        assertThat(found & 0xff).as("hop").isZero();
        assertThat(found >>> 8).as("country code").isEqualTo(45);
        assertThat(probe.bits).containsExactly(0x2409_4042_2d8b_1c4eL, IPV6.length());
    }

    @Test
    void anotherDatabaseMakesANewEpochWhoseEntriesGiveTheClientButNotTheCountry() {
        int epoch = memo.epochOf(geo);
        remember(IPV6, 2, 45, epoch);
        Object newDatabase = new Object();

        int next = memo.epochOf(newDatabase);

        assertThat(next).isNotEqualTo(epoch);
        assertThat(memo.epochOf(newDatabase)).as("stable while that database serves").isEqualTo(next);
        int found = memo.find(IPV6, next, probe);
        assertThat(found).as("the client and its hop, without a country").isEqualTo(2);
        assertThat(memo.epochOf(geo)).as("going back is another epoch again, never the old number").isNotIn(epoch, next);
    }

    @Test
    void onlyTheVeryTextRememberedIsFound() {
        int epoch = memo.epochOf(geo);
        remember(IPV6, 0, 45, epoch);

        assertThat(memo.find(IPV6.replace('7', '8'), epoch, probe)).as("same length, other text").isEqualTo(ForwardedForMemo.MISS);
        assertThat(memo.find(IPV6 + " ", epoch, probe)).as("longer").isEqualTo(ForwardedForMemo.MISS);
        assertThat(memo.find(IPV6.substring(1), epoch, probe)).as("shorter").isEqualTo(ForwardedForMemo.MISS);
        assertThat(memo.find(IPV6.toUpperCase(), epoch, probe)).as("other case").isEqualTo(ForwardedForMemo.MISS);
    }

    @Test
    void valuesItDoesNotKeepAreNeitherFoundNorRemembered() {
        int epoch = memo.epochOf(geo);
        String nonAscii = IPV6.substring(0, 20) + "\u00b0" + IPV6.substring(21); // Latin-1, as header values are
        for (String value : List.of("1.2.3.4", "203.0.113.255", nonAscii, IPV6 + ", 2001:db8::1, 10.0.0.1")) {
            assertThat(memo.find(value, epoch, probe)).as(value).isEqualTo(ForwardedForMemo.MISS);
            memo.remember(probe, 0, 45, epoch);
            assertThat(memo.find(value, epoch, probe)).as("not kept: " + value).isEqualTo(ForwardedForMemo.MISS);
        }
        String ascii = nonAscii.replace('\u00b0', '0');
        remember(ascii, 0, 45, epoch);
        assertThat(memo.find(nonAscii, epoch, probe)).as("a byte above ASCII never matches").isEqualTo(ForwardedForMemo.MISS);
    }

    @Test
    void aFullSetKeepsAnsweringRightForWhatItHolds() {
        int epoch = memo.epochOf(geo);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 300_000; i++) { // far more than the table holds: every set overflows
            values.add("2001:db8:" + Integer.toHexString(i >>> 16) + ":" + Integer.toHexString(i & 0xffff) + "::1");
        }
        for (String value : values) {
            memo.find(value, epoch, probe);
            probe.bits[0] = 7;
            probe.bits[1] = value.hashCode();
            memo.remember(probe, value.length() % 30, 1 + value.length(), epoch);
        }
        int hits = 0;
        for (String value : values) {
            int found = memo.find(value, epoch, probe);
            if (found != ForwardedForMemo.MISS) {
                hits++;
                assertThat(probe.bits).as(value).containsExactly(7, value.hashCode());
                assertThat(found).as(value).isEqualTo(value.length() % 30 | (1 + value.length()) << 8);
            }
        }
        assertThat(hits).as("the most recent values stay").isGreaterThan(40_000);
    }

    /** Event loops share the memo: however reads and writes interleave, a hit is never another value's answer. */
    @Test
    void racingReadersNeverSeeAnotherValuesAnswer() throws Exception {
        ClientAddressResolver resolver = new ClientAddressResolver(List.of(Cidr.parse("10.0.0.0/8").orElseThrow()));
        ForwardedForMemo shared = resolver.memo();
        int epoch = shared.epochOf(geo);
        InetAddress peer = IpAddresses.parseLiteral("10.0.0.1").orElseThrow();
        List<String> values = new ArrayList<>();
        Random random = new Random(5);
        for (int i = 0; i < 4_096; i++) { // few enough sets that the threads keep displacing each other
            values.add(String.format("2409:4042:%04x:%04x::%x", random.nextInt(16), random.nextInt(1 << 16), random.nextInt(1 << 16)));
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger hits = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int seed = t;
            threads.add(new Thread(() -> {
                ForwardedForMemo.Probe own = new ForwardedForMemo.Probe();
                long[] expected = new long[2];
                Random order = new Random(seed);
                try {
                    start.await();
                    for (int i = 0; i < 200_000 && failure.get() == null; i++) {
                        String value = values.get(order.nextInt(values.size()));
                        IpAddresses.parseIpv6(value, 0, value.length(), expected);
                        int found = shared.find(value, epoch, own);
                        if (found != ForwardedForMemo.MISS) {
                            hits.incrementAndGet();
                            if (own.bits[0] != expected[0] || own.bits[1] != expected[1] || found != (0 | 9 << 8)) {
                                throw new AssertionError(value + " answered " + Long.toHexString(own.bits[0]) + ":"
                                        + Long.toHexString(own.bits[1]) + " / " + found);
                            }
                        } else {
                            assertThat(resolver.resolveBits(peer, value, null, own.bits)).isZero();
                            shared.remember(own, 0, 9, epoch);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        assertThat(failure.get()).isNull();
        assertThat(hits.get()).isGreaterThan(100_000);
    }
}
