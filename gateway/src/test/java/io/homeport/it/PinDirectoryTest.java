package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.directory.Pin;
import io.homeport.directory.PinDirectory;
import io.homeport.directory.PinStore;
import io.homeport.routing.Decision;
import io.homeport.routing.Reason;
import io.homeport.rules.Route;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pin directory against a real redis-server: the near-cache, negative entries, invalidation
 * by Redis's client-side caching within a second of a write, stale pins serving while Redis is
 * down, bounded failures for what the near-cache does not hold, and recovery.
 */
class PinDirectoryTest {

    @TempDir
    Path dir;

    static PinDirectory.Settings settings(RedisServer redis, Duration ttl) {
        return new PinDirectory.Settings(List.of(redis.uri()), Duration.ofMillis(50), 10_000, ttl);
    }

    @Test
    void pinsComeFromRedisOnceThenFromTheNearCacheAndAWriteInvalidatesThemWithinASecond() throws Exception {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"));
                PinStore store = PinStore.connect(redis.uri(), Duration.ofSeconds(2));
                PinDirectory directory = PinDirectory.connect(settings(redis, Duration.ofMinutes(5)), Duration.ofSeconds(2))) {
            store.set("u-1", "singapore");
            awaitAnnounced(directory, 1);

            assertThat(directory.cached("u-1")).isNull();
            assertThat(directory.lookup("u-1").get(2, TimeUnit.SECONDS)).isEqualTo(new Pin("singapore", Pin.Source.REDIS));
            assertThat(directory.cached("u-1")).isEqualTo(new Pin("singapore", Pin.Source.NEAR_CACHE));
            // No pin is an answer too, and is cached.
            assertThat(directory.lookup("u-2").get(2, TimeUnit.SECONDS)).isEqualTo(new Pin(null, Pin.Source.REDIS));
            assertThat(directory.cached("u-2")).isEqualTo(new Pin(null, Pin.Source.NEAR_CACHE));

            // The data copier moves u-1 and pins u-2: every gateway's near-cache hears of it.
            long written = System.nanoTime();
            store.set("u-1", "us");
            store.set("u-2", "beijing");
            while ((directory.cached("u-1") != null || directory.cached("u-2") != null)
                    && System.nanoTime() - written < TimeUnit.SECONDS.toNanos(1)) {
                Thread.sleep(5);
            }
            assertThat(directory.cached("u-1")).as("invalidated within 1 s").isNull();
            assertThat(directory.cached("u-2")).as("invalidated within 1 s").isNull();
            assertThat(directory.invalidations()).isGreaterThanOrEqualTo(2);
            assertThat(directory.lookup("u-1").get(2, TimeUnit.SECONDS).region()).isEqualTo("us");
            assertThat(directory.lookup("u-2").get(2, TimeUnit.SECONDS).region()).isEqualTo("beijing");

            store.delete("u-1");
            long deleted = System.nanoTime();
            while (directory.cached("u-1") != null && System.nanoTime() - deleted < TimeUnit.SECONDS.toNanos(1)) {
                Thread.sleep(5);
            }
            assertThat(directory.lookup("u-1").get(2, TimeUnit.SECONDS).region()).isNull();
        }
    }

    /**
     * A framing decides first and asks afterwards: the near-cache is read once for a request whose
     * decision read the pin (or its absence); only a decision that could not read it waits for a fetch.
     */
    @Test
    void aDecisionThatReadThePinStandsAndOnlyOneThatCouldNotWaitsForAFetch() throws Exception {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"));
                PinStore store = PinStore.connect(redis.uri(), Duration.ofSeconds(2));
                PinDirectory directory = PinDirectory.connect(settings(redis, Duration.ofMinutes(5)), Duration.ofSeconds(2))) {
            store.set("u-pinned", "singapore");
            store.set("u-odd", "mars"); // names no region of the rules
            awaitAnnounced(directory, 2);
            RoutingRules rules = new RulesLoader().load(java.nio.file.Files.writeString(dir.resolve("rules.yaml"), """
                    version: 1
                    regions:
                      singapore: {endpoints: ["http://127.0.0.1:1"], fail_over_to: []}
                      us: {endpoints: ["http://127.0.0.1:2"], fail_over_to: []}
                    residency:
                      default_region: us
                      countries: {SG: singapore}
                      users: {source: redis}
                    """));
            Decision byPin = new Decision(Route.DEFAULT, "singapore", Reason.PIN, "SG", null);
            Decision byCountry = new Decision(Route.DEFAULT, "us", Reason.COUNTRY, "US", null);
            Decision unread = new Decision(Route.DEFAULT, "us", Reason.PIN_UNAVAILABLE, "US", null);
            Decision lookupRefused = new Decision(Route.DEFAULT, null, Reason.LOOKUP_ERROR, null, null);

            // A decision that read the near-cache stands, whatever the near-cache holds now: nothing is fetched.
            assertThat(directory.prefetch(rules, "u-pinned", byPin)).isNull();
            assertThat(directory.prefetch(rules, "u-pinned", byCountry)).isNull();
            assertThat(directory.cached("u-pinned")).isNull();
            // One that could not read the pin waits for it; so does a refusal for a failed GeoIP lookup,
            // which the pin, read first, would have decided.
            directory.prefetch(rules, "u-pinned", unread).toCompletableFuture().get(2, TimeUnit.SECONDS);
            assertThat(directory.cached("u-pinned")).isEqualTo(new Pin("singapore", Pin.Source.NEAR_CACHE));
            directory.prefetch(rules, "u-refused", lookupRefused).toCompletableFuture().get(2, TimeUnit.SECONDS);
            assertThat(directory.cached("u-refused")).isEqualTo(new Pin(null, Pin.Source.NEAR_CACHE));
            // A pin the near-cache holds but the rules cannot follow is not fetched again for every request.
            directory.lookup("u-odd").get(2, TimeUnit.SECONDS);
            assertThat(directory.prefetch(rules, "u-odd", unread)).isNull();
            // Without a decision (an explanation): the near-cache alone says.
            assertThat(directory.prefetch(rules, "u-pinned", null)).isNull();
            assertThat(directory.prefetch(rules, "u-new", null)).isNotNull();
            // Pins from a file, or no user: nothing to fetch.
            assertThat(directory.prefetch(rules, null, unread)).isNull();
        }
    }

    @Test
    void whileRedisIsDownHeldPinsServeStaleAndMissesFailWithinTheTimeoutThenItRecovers() throws Exception {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"));
                PinDirectory directory = PinDirectory.connect(settings(redis, Duration.ofMillis(100)), Duration.ofSeconds(2))) {
            try (PinStore store = PinStore.connect(redis.uri(), Duration.ofSeconds(2))) {
                store.set("held", "singapore");
            }
            awaitAnnounced(directory, 1);
            assertThat(directory.lookup("held").get(2, TimeUnit.SECONDS).region()).isEqualTo("singapore");

            redis.kill();
            Thread.sleep(150); // past the near-cache ttl: the entry is stale now
            assertThat(directory.cached("held")).isEqualTo(new Pin("singapore", Pin.Source.STALE));
            Thread.sleep(100); // the failed refresh keeps the stale entry
            assertThat(directory.cached("held")).isEqualTo(new Pin("singapore", Pin.Source.STALE));

            long started = System.nanoTime();
            assertThatThrownBy(() -> directory.lookup("not-held").get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(PinDirectory.LookupFailedException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("bounded by lookup_timeout").isLessThan(1_000);
            assertThat(directory.failures(PinDirectory.Failure.UNAVAILABLE) + directory.failures(PinDirectory.Failure.TIMEOUT)
                    + directory.failures(PinDirectory.Failure.ERROR)).isPositive();

            redis.start(); // same port, empty: the pin is gone, and the gateway must not keep believing it
            try (PinStore store = PinStore.connect(redis.uri(), Duration.ofSeconds(2))) {
                store.set("not-held", "us");
                // Lettuce reconnects in the background; then the near-cache is emptied (invalidations
                // may have been missed) and the stale pin of "held" gives way to what Redis says now.
                String notHeld = poll(directory, "not-held", "us");
                assertThat(notHeld).isEqualTo("us");
                assertThat(poll(directory, "held", null)).as("the restarted Redis has no pin for held").isNull();
                // Tracking is on again: a write reaches the near-cache.
                store.set("not-held", "beijing");
                long written = System.nanoTime();
                while (directory.cached("not-held") != null && System.nanoTime() - written < TimeUnit.SECONDS.toNanos(1)) {
                    Thread.sleep(5);
                }
                assertThat(directory.cached("not-held")).as("invalidated after the reconnect").isNull();
            }
        }
    }

    @Test
    void staleEntriesAreReadAgainInBatchesNotOneGetEach() throws Exception {
        try (RedisServer redis = new RedisServer(dir.resolve("redis"));
                PinDirectory directory = PinDirectory.connect(settings(redis, Duration.ofSeconds(1)), Duration.ofSeconds(2))) {
            int users = 300;
            try (PinStore store = PinStore.connect(redis.uri(), Duration.ofSeconds(2))) {
                for (int i = 0; i < users; i++) {
                    store.set("user-" + i, i % 2 == 0 ? "singapore" : "us");
                }
            }
            awaitAnnounced(directory, users);
            for (int i = 0; i < users; i++) {
                assertThat(directory.lookup("user-" + i).get(2, TimeUnit.SECONDS).source()).isEqualTo(Pin.Source.REDIS);
            }
            long getsBefore = calls(redis, "get");
            Thread.sleep(1_200); // past the ttl: every entry is stale, answered, and queued to be read again
            for (int i = 0; i < users; i++) {
                assertThat(directory.cached("user-" + i).source()).isEqualTo(Pin.Source.STALE);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            int fresh = 0;
            while (fresh < users && System.nanoTime() < deadline) {
                Thread.sleep(20);
                fresh = 0;
                for (int i = 0; i < users; i++) {
                    Pin pin = directory.cached("user-" + i);
                    assertThat(pin.region()).isEqualTo(i % 2 == 0 ? "singapore" : "us");
                    fresh += pin.source() == Pin.Source.NEAR_CACHE ? 1 : 0;
                }
            }
            assertThat(fresh).as("every stale entry read again within a second").isEqualTo(users);
            assertThat(calls(redis, "get") - getsBefore).as("no GET per stale entry").isZero();
            assertThat(calls(redis, "mget")).as("a few MGETs (500 keys each at most)").isBetween(1L, 5L);
        }
    }

    /**
     * Waits until Redis has announced {@code writes} pin writes to {@code directory}. A read that
     * begins before the announcement of the write it reads arrives is, by design, served once as
     * stale and read again (or dropped, if the announcement comes after it): a test that writes a
     * pin and expects the next read to be fresh must wait for the announcement first.
     */
    static void awaitAnnounced(PinDirectory directory, long writes) throws InterruptedException {
        long started = System.nanoTime();
        while (directory.invalidations() < writes && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10)) {
            Thread.sleep(2);
        }
        assertThat(directory.invalidations()).as("pin writes Redis announced").isGreaterThanOrEqualTo(writes);
    }

    /** How many times Redis ran {@code command}, from INFO commandstats. */
    private static long calls(RedisServer redis, String command) throws Exception {
        String stats = RedisCluster.run(List.of(RedisCluster.CLI.toString(), "-p", Integer.toString(redis.port()), "info", "commandstats"), 10);
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("cmdstat_" + command + ":calls=([0-9]+)").matcher(stats);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    /** Looks the user up until the answer is {@code expected} or 10 s pass; the last answer. */
    private static String poll(PinDirectory directory, String user, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String last = "(no answer)";
        while (System.nanoTime() < deadline) {
            try {
                last = directory.lookup(user).get(2, TimeUnit.SECONDS).region();
                if (java.util.Objects.equals(last, expected)) {
                    return last;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException reconnecting) {
                // not yet
            }
            Thread.sleep(50);
        }
        return last;
    }
}
