package io.homeport.directory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.homeport.routing.ExternalPins;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pins one gateway holds: bounded by count (Caffeine's size-based eviction), negative entries
 * for users known to have no pin, and an age after which an entry is stale — still answered, and
 * handed to {@link Refresh} to fetch again. What the decision reads: {@link #pinOf} answers without
 * waiting and allocates nothing.
 *
 * <p>Eviction is Caffeine's (bounded by count, W-TinyLFU), fed by writes only: a hit is read
 * "quietly", without recording the use, which would cost each hit about a third of the decision
 * (benchmarks/BUDGET.md). Writes are frequent enough to stand for use: an entry in use is read
 * again from the store every ttl, and written, so the users evicted first are those not fetched
 * for longest and least often.
 *
 * <p>Three things keep a hit cheap (benchmarks/BUDGET.md): the quiet read; the entries' age is read from a coarse
 * clock that {@link #tick} advances (every {@link #TICK} in a gateway) instead of
 * {@code System.nanoTime()} per lookup, which costs tens of nanoseconds on a virtual machine; and
 * entries are shared: every pin to one region (and every "no pin") written within one tick is the
 * same object, so a hit reads few distinct cache lines and a million entries do not carry a million
 * copies of "singapore" and its timestamp.
 */
public final class PinNearCache implements ExternalPins {

    /** Told of a stale entry that was just answered: fetch it again, without waiting. */
    @FunctionalInterface
    public interface Refresh {
        void stale(String userId);
    }

    /** How often a gateway advances the clock: an entry turns stale at most this late. */
    public static final Duration TICK = Duration.ofMillis(100);
    /** The region names kept once each; a store holding more distinct values than this is broken. */
    private static final int MAX_REGION_NAMES = 256;
    /** "No pin", cached like a pin. */
    private static final String NO_PIN = "";
    /** How long a fetched answer is kept beside the cache, whatever the cache's eviction decides. */
    private static final long JUST_FETCHED_NANOS = Duration.ofSeconds(2).toNanos();

    private record Entry(String region, long fetchedNanos) {}

    private record Fetched(Entry entry, long at) {}

    /** The entry shared by the puts of one region within the tick that began at {@code tick}. */
    private record Shared(long tick, Entry entry) {}

    private final Cache<String, Entry> entries;
    private final com.github.benmanes.caffeine.cache.Policy<String, Entry> quiet;
    private final long ttlNanos;
    private final Refresh refresh;
    /** Per region name (and "" for no pin), the entry of the current tick: shared by every put within it. */
    private final ConcurrentHashMap<String, Shared> currentEntries = new ConcurrentHashMap<>();
    /**
     * What was fetched in the last seconds. A full cache may evict a new entry at once (its
     * admission policy favours entries used more often); the request held for that fetch must still
     * find its answer when it is decided, so the answer is kept here too, for {@link #JUST_FETCHED_NANOS}.
     */
    private final ConcurrentHashMap<String, Fetched> justFetched = new ConcurrentHashMap<>();
    /** {@code System.nanoTime()} as of the last {@link #tick}. */
    private volatile long now = System.nanoTime();

    public PinNearCache(long maxEntries, Duration ttl, Refresh refresh) {
        // Maintenance (eviction, the recorded reads) runs on the thread that triggers it: no hand-off
        // to a pool thread, whose wake-ups would cost an event loop more than the work itself.
        this.entries = Caffeine.newBuilder().maximumSize(maxEntries).executor(Runnable::run).build();
        this.quiet = entries.policy();
        this.ttlNanos = ttl.toNanos();
        this.refresh = refresh;
    }

    /**
     * The region {@code userId} is pinned to, null for "no pin", or {@link ExternalPins#UNAVAILABLE}
     * when the cache holds nothing for the user. A stale answer is given, and refreshed.
     */
    @Override
    public String pinOf(CharSequence userId) {
        String key = userId.toString(); // the gateway's user ids are Strings already: no copy
        Entry entry = entryOf(key);
        if (entry == null) {
            return UNAVAILABLE;
        }
        if (now - entry.fetchedNanos() >= ttlNanos) {
            refresh.stale(key);
        }
        return entry.region().isEmpty() ? null : entry.region();
    }

    /** For explanations: how old the entry for {@code userId} is, and whether it is still fresh. */
    @Override
    public String origin(CharSequence userId) {
        Entry entry = entryOf(userId.toString());
        if (entry == null) {
            return "not in the near-cache, and the store could not be read";
        }
        long age = now - entry.fetchedNanos();
        String read = String.format(java.util.Locale.ROOT, "read %.1f s ago", age / 1e9);
        return age < ttlNanos ? "near-cache, " + read
                : "near-cache, stale: " + read + ", older than the near-cache's ttl; served while it is fetched again";
    }

    /** Whether the cache holds anything (fresh or stale) for {@code userId}; not counted as a use of it. */
    public boolean holds(String userId) {
        return entries.asMap().containsKey(userId) || justFetched.containsKey(userId);
    }

    /**
     * What the cache holds for {@code userId}: null when nothing; else whether it is fresh and the
     * region (null: no pin). A stale entry is handed to {@link Refresh}.
     */
    public PinDirectory.Pin cached(String userId) {
        Entry entry = entryOf(userId);
        if (entry == null) {
            return null;
        }
        String region = entry.region().isEmpty() ? null : entry.region();
        if (now - entry.fetchedNanos() < ttlNanos) {
            return new PinDirectory.Pin(region, PinDirectory.Source.NEAR_CACHE);
        }
        refresh.stale(userId);
        return new PinDirectory.Pin(region, PinDirectory.Source.STALE);
    }

    /** Remembers {@code region} (null: no pin) for {@code userId}, as read now: a background refresh. */
    public void put(String userId, String region) {
        entries.put(userId, currentEntry(region == null ? NO_PIN : region));
    }

    /**
     * Remembers what a request's fetch read (null: no pin), and keeps it beside the cache for the
     * request held for it; with {@code stale}, as already stale (answered, then read again).
     */
    public void putFetched(String userId, String region, boolean stale) {
        String value = region == null ? NO_PIN : region;
        Entry entry = stale ? new Entry(value, now - ttlNanos) : currentEntry(value);
        justFetched.put(userId, new Fetched(entry, now));
        entries.put(userId, entry);
    }

    /** Advances the clock the entries' age is read from to {@code System.nanoTime()}. */
    public void tick() {
        long at = System.nanoTime();
        now = at;
        if (!justFetched.isEmpty()) {
            justFetched.values().removeIf(fetched -> at - fetched.at() > JUST_FETCHED_NANOS);
        }
    }

    public void invalidate(String userId) {
        justFetched.remove(userId);
        entries.invalidate(userId);
    }

    public void invalidateAll() {
        justFetched.clear();
        entries.invalidateAll();
    }

    /** Entries now (approximate). */
    public long size() {
        return entries.estimatedSize();
    }

    /** Evictions and removals pending, done now: for measuring what the entries weigh. */
    public void cleanUp() {
        entries.cleanUp();
    }

    private Entry entryOf(String userId) {
        Entry entry = quiet.getIfPresentQuietly(userId);
        if (entry == null) {
            Fetched fetched = justFetched.get(userId);
            return fetched == null ? null : fetched.entry();
        }
        return entry;
    }

    private Entry currentEntry(String region) {
        long at = now;
        Shared shared = currentEntries.get(region);
        if (shared != null && shared.tick() == at) {
            return shared.entry();
        }
        // Entries read together would turn stale together, and be read again together, every ttl:
        // each tick's entries count as up to an eighth of the ttl older than they are, so such a
        // crowd spreads out over the rounds instead of returning as one burst of reads.
        long age = java.util.concurrent.ThreadLocalRandom.current().nextLong(ttlNanos / 8 + 1);
        if (shared == null && currentEntries.size() >= MAX_REGION_NAMES) {
            return new Entry(region, at - age); // a store holding this many distinct values is broken: share nothing new
        }
        String name = shared != null ? shared.entry().region() : region;
        Entry fresh = new Entry(name, at - age);
        currentEntries.put(name, new Shared(at, fresh));
        return fresh;
    }
}
