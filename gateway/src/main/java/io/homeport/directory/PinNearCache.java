package io.homeport.directory;

import io.homeport.residency.StableHash;
import io.homeport.routing.ExternalPins;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The pins one gateway holds: bounded by count, negative entries for users known to have no pin,
 * and an age after which an entry is stale — still answered, and handed to {@link Refresh} to fetch
 * again. What the decision reads: {@link #pinOf} answers without waiting and allocates nothing.
 *
 * <p>The entries are a {@link PinTable}: longs in one array, found by a 94-bit fingerprint of the
 * user id ({@link StableHash.Fingerprint}: its StableHash and 32 bits of a second hash, which the
 * decision has computed already), each holding the region's number and the tick it was read at. Ages are counted in ticks
 * of a coarse clock that {@link #tick} advances (every {@link #TICK} in a gateway), not with
 * {@code System.nanoTime()} per lookup, which costs tens of nanoseconds on a virtual machine.
 * When an entry must give way, one not in use (not asked for again since its fetch) goes first:
 * a user seen once before one in use ({@link PinTable}).
 */
public final class PinNearCache implements ExternalPins {

    /** Told of a stale entry that was just answered: fetch it again, without waiting. */
    @FunctionalInterface
    public interface Refresh {
        void stale(String userId);
    }

    /** How often a gateway advances the clock: an entry turns stale at most this late. */
    public static final Duration TICK = Duration.ofMillis(100);
    private static final long TICK_NANOS = TICK.toNanos();
    /** How long a fetched answer is kept beside the table, whatever the table's eviction decides. */
    private static final long JUST_FETCHED_NANOS = Duration.ofSeconds(2).toNanos();

    /** What a request's fetch read: kept for the request held for it. */
    private record Fetched(long value, long atNanos) {}

    private final PinTable table;
    private final int ttlTicks;
    private final Refresh refresh;
    private final long origin = System.nanoTime();
    /** Region names by number (1 to {@link PinTable#MAX_REGION}; 0 is "no pin"). */
    private final String[] regionNames = new String[PinTable.MAX_REGION + 1];
    private final ConcurrentHashMap<String, Integer> regionNumbers = new ConcurrentHashMap<>();
    /**
     * What requests' fetches read in the last seconds: a full table may let a new entry give way at
     * once, and the request held for that fetch must still find its answer when it is decided.
     */
    private final ConcurrentHashMap<String, Fetched> justFetched = new ConcurrentHashMap<>();
    /** Ticks since this cache was made, as of the last {@link #tick}. */
    private volatile int now;

    public PinNearCache(long maxEntries, Duration ttl, Refresh refresh) {
        this.table = new PinTable(Math.toIntExact(maxEntries));
        // An age is at most half the tick counter's range: ttls of days are still told apart.
        this.ttlTicks = (int) Math.max(1, Math.min(PinTable.TICK_MASK / 2, ttl.toNanos() / TICK_NANOS));
        this.refresh = refresh;
    }

    /**
     * The region {@code userId} is pinned to, null for "no pin", or {@link ExternalPins#UNAVAILABLE}
     * when the cache holds nothing for the user. A stale answer is given, and refreshed.
     */
    @Override
    public String pinOf(CharSequence userId) {
        StableHash.Fingerprint fingerprint = StableHash.fingerprint(userId);
        return pinOf(userId, fingerprint.stableHash(), fingerprint.second());
    }

    /** {@link #pinOf(CharSequence)} with the id's {@link StableHash.Fingerprint}, which keys the table: not computed twice. */
    @Override
    public String pinOf(CharSequence userId, long stableHash, int secondHash) {
        long value = valueOf(userId, stableHash, secondHash);
        if (value == PinTable.MISS) {
            return UNAVAILABLE;
        }
        if (stale(value)) {
            refresh.stale(userId.toString());
        }
        int region = PinTable.region(value);
        return region == 0 ? null : regionNames[region];
    }

    /** For explanations: how old the entry for {@code userId} is, and whether it is still fresh. */
    @Override
    public String origin(CharSequence userId) {
        long value = valueOf(userId);
        if (value == PinTable.MISS) {
            return "not in the near-cache, and the store could not be read";
        }
        String read = String.format(Locale.ROOT, "read %.1f s ago", ageTicks(value) * TICK_NANOS / 1e9);
        return stale(value) ? "near-cache, stale: " + read + ", older than the near-cache's ttl; served while it is fetched again"
                : "near-cache, " + read;
    }

    /** Whether the cache holds anything (fresh or stale) for {@code userId}. */
    public boolean holds(String userId) {
        return valueOf(userId) != PinTable.MISS;
    }

    /**
     * What the cache holds for {@code userId}: null when nothing; else whether it is fresh and the
     * region (null: no pin). A stale entry is handed to {@link Refresh}.
     */
    public Pin cached(String userId) {
        long value = valueOf(userId);
        if (value == PinTable.MISS) {
            return null;
        }
        int number = PinTable.region(value);
        String region = number == 0 ? null : regionNames[number];
        if (!stale(value)) {
            return new Pin(region, Pin.Source.NEAR_CACHE);
        }
        refresh.stale(userId);
        return new Pin(region, Pin.Source.STALE);
    }

    /** Remembers {@code region} (null: no pin) for {@code userId}, as read now: a background refresh. */
    public void put(String userId, String region) {
        int number = regionNumber(region);
        if (number < 0) {
            remove(userId); // a store holding this many distinct values is broken: nothing is cached for it
            return;
        }
        // Entries read together would turn stale together, and be read again together, every ttl:
        // each counts as up to an eighth of the ttl older than it is, so such a crowd spreads out.
        int jitter = ThreadLocalRandom.current().nextInt(ttlTicks / 8 + 1);
        StableHash.Fingerprint fingerprint = StableHash.fingerprint(userId);
        table.put(PinTable.key(fingerprint.stableHash()), PinTable.value(fingerprint.second(), number, now - jitter), now);
    }

    /**
     * Remembers what a request's fetch read (null: no pin), and keeps it beside the table for the
     * request held for it; with {@code stale}, as already stale (answered, then read again).
     */
    public void putFetched(String userId, String region, boolean stale) {
        int number = regionNumber(region);
        if (number < 0) {
            remove(userId);
            return;
        }
        StableHash.Fingerprint fingerprint = StableHash.fingerprint(userId);
        long value = PinTable.value(fingerprint.second(), number, stale ? now - ttlTicks : now);
        justFetched.put(userId, new Fetched(value, System.nanoTime()));
        table.put(PinTable.key(fingerprint.stableHash()), value, now);
    }

    /** Advances the clock the entries' age is read from, and forgets old fetches. */
    public void tick() {
        long at = System.nanoTime();
        now = (int) ((at - origin) / TICK_NANOS);
        if (!justFetched.isEmpty()) {
            justFetched.values().removeIf(fetched -> at - fetched.atNanos() > JUST_FETCHED_NANOS);
        }
    }

    public void invalidate(String userId) {
        remove(userId);
    }

    public void invalidateAll() {
        justFetched.clear();
        table.clear();
    }

    /** Entries now. */
    public long size() {
        return table.size();
    }

    private void remove(String userId) {
        justFetched.remove(userId);
        table.remove(PinTable.key(StableHash.of(userId)));
    }

    private long valueOf(CharSequence userId) {
        StableHash.Fingerprint fingerprint = StableHash.fingerprint(userId);
        return valueOf(userId, fingerprint.stableHash(), fingerprint.second());
    }

    private long valueOf(CharSequence userId, long stableHash, int secondHash) {
        long value = table.find(PinTable.key(stableHash), secondHash);
        if (value == PinTable.MISS && !justFetched.isEmpty()) {
            Fetched fetched = justFetched.get(userId.toString());
            return fetched == null ? PinTable.MISS : fetched.value();
        }
        return value;
    }

    private boolean stale(long value) {
        return ageTicks(value) >= ttlTicks;
    }

    private int ageTicks(long value) {
        return now - PinTable.tick(value) & PinTable.TICK_MASK;
    }

    /** The number of {@code region} (0 for null: no pin), or -1 when every number is taken. */
    private int regionNumber(String region) {
        if (region == null) {
            return 0;
        }
        Integer known = regionNumbers.get(region);
        if (known != null) {
            return known;
        }
        synchronized (regionNumbers) {
            known = regionNumbers.get(region);
            if (known != null) {
                return known;
            }
            int number = regionNumbers.size() + 1;
            if (number > PinTable.MAX_REGION) {
                return -1;
            }
            regionNames[number] = region; // before any entry names it: entries are published after
            regionNumbers.put(region, number);
            return number;
        }
    }
}
