package io.homeport.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.residency.StableHash;
import io.homeport.routing.ExternalPins;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The near-cache without a store: pins, absences, staleness, a held request's answer, odd values. */
class PinNearCacheTest {

    final List<String> refreshed = new CopyOnWriteArrayList<>();

    @Test
    void answersPinsAndAbsencesAndNothingElse() {
        PinNearCache cache = new PinNearCache(1_000, Duration.ofMinutes(1), refreshed::add);
        cache.put("roamer", new String("singapore"));
        cache.put("homebody", null);

        assertThat(cache.pinOf("roamer")).isEqualTo("singapore");
        assertThat(cache.pinOf(new StringBuilder("roamer"))).as("any CharSequence").isEqualTo("singapore");
        assertThat(cache.pinOf("homebody")).isNull();
        assertThat(cache.pinOf("stranger")).isSameAs(ExternalPins.UNAVAILABLE);
        assertThat(cache.holds("homebody")).isTrue();
        assertThat(cache.holds("stranger")).isFalse();
        assertThat(cache.cached("roamer")).isEqualTo(new Pin("singapore", Pin.Source.NEAR_CACHE));
        assertThat(cache.origin("roamer")).startsWith("near-cache, read ");
        assertThat(cache.size()).isEqualTo(2);

        cache.invalidate("roamer");
        assertThat(cache.pinOf("roamer")).isSameAs(ExternalPins.UNAVAILABLE);
        cache.invalidateAll();
        assertThat(cache.pinOf("homebody")).isSameAs(ExternalPins.UNAVAILABLE);
        assertThat(refreshed).isEmpty();
    }

    @Test
    void aStaleEntryIsAnsweredAndHandedOnToBeReadAgain() throws Exception {
        PinNearCache cache = new PinNearCache(1_000, Duration.ofMillis(200), refreshed::add);
        cache.put("roamer", "singapore");
        Thread.sleep(300);
        cache.tick();
        assertThat(cache.pinOf("roamer")).isEqualTo("singapore");
        assertThat(refreshed).containsExactly("roamer");
        assertThat(cache.cached("roamer").source()).isEqualTo(Pin.Source.STALE);
        assertThat(cache.origin("roamer")).startsWith("near-cache, stale: read ");

        cache.putFetched("raced", "us", true); // read while its key was invalidated: served once, then read again
        assertThat(cache.pinOf("raced")).isEqualTo("us");
        assertThat(refreshed).contains("raced");
    }

    @Test
    void aHeldRequestFindsItsFetchEvenWhenTheTableLetItGo() {
        PinNearCache cache = new PinNearCache(0, Duration.ofMinutes(1), refreshed::add); // holds nothing
        cache.putFetched("held", "beijing", false);
        assertThat(cache.pinOf("held")).isEqualTo("beijing");
        assertThat(cache.holds("held")).isTrue();
        cache.invalidate("held");
        assertThat(cache.pinOf("held")).isSameAs(ExternalPins.UNAVAILABLE);
    }

    @Test
    void aStoreFullOfOddValuesCachesNoneBeyondTheRegionNumbers() {
        PinNearCache cache = new PinNearCache(10_000, Duration.ofMinutes(1), refreshed::add);
        for (int i = 0; i < PinTable.MAX_REGION + 10; i++) {
            cache.put("user-" + i, "region-" + i);
        }
        assertThat(cache.pinOf("user-0")).isEqualTo("region-0");
        assertThat(cache.pinOf("user-" + (PinTable.MAX_REGION - 1))).isEqualTo("region-" + (PinTable.MAX_REGION - 1));
        assertThat(cache.pinOf("user-" + PinTable.MAX_REGION)).as("not cached: read from the store each time")
                .isSameAs(ExternalPins.UNAVAILABLE);
    }

    @Test
    void theDecisionsStableHashIsTheKey() {
        PinNearCache cache = new PinNearCache(1_000, Duration.ofMinutes(1), refreshed::add);
        cache.put("roamer", "singapore");
        StableHash.Fingerprint roamer = StableHash.fingerprint("roamer");
        StableHash.Fingerprint someoneElse = StableHash.fingerprint("someone else");
        assertThat(cache.pinOf("roamer", roamer.stableHash(), roamer.second())).isEqualTo("singapore");
        assertThat(cache.pinOf("roamer", someoneElse.stableHash(), roamer.second()))
                .as("another id's hash finds nothing: never another user's pin").isSameAs(ExternalPins.UNAVAILABLE);
        assertThat(cache.pinOf("roamer", roamer.stableHash(), someoneElse.second()))
                .as("nor does the same hash with another second half").isSameAs(ExternalPins.UNAVAILABLE);
    }
}
