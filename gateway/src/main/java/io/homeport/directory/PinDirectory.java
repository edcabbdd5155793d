package io.homeport.directory;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.protocol.ProtocolVersion;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-user pins from Redis, through a near-cache. A lookup answers from the near-cache when it
 * holds the user (a pin, or "no pin": negative entries are cached too); otherwise it asks Redis
 * asynchronously, never blocking the caller, and gives up after {@code lookupTimeout}.
 *
 * <p>The near-cache stays current by Redis's client-side caching: a RESP3 connection has
 * {@code CLIENT TRACKING on BCAST PREFIX homeport:pin:}, so every write of a pin key anywhere makes
 * Redis push an invalidation, and the entry is dropped within the push's flight time. Entries also
 * age: after {@code ttl} an entry is stale, still served, and refreshed in the background (stale
 * while revalidating) — so a pin the near-cache holds keeps serving while Redis is away. When the
 * tracking connection drops, invalidations may have been missed, so the near-cache is emptied when
 * it comes back. In a Redis Cluster every master is tracked, and the set of masters is checked
 * every second: a replica promoted by a fail-over is tracked at once and the near-cache emptied
 * (writes it took before were never announced), then refilled from the new masters.
 */
public final class PinDirectory implements AutoCloseable, io.homeport.routing.ExternalPins {

    public static final String KEY_PREFIX = "homeport:pin:";
    /** Longer than any read may take (lookups time out, refresh batches after {@link #REFRESH_TIMEOUT}). */
    private static final long INVALIDATIONS_KEPT = TimeUnit.SECONDS.toNanos(10);
    private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(1);
    /** Keys per MGET of stale entries. */
    private static final int REFRESH_BATCH = 500;
    /** MGETs per tick at most: a crowd of stale entries is read again over several ticks, not in one burst. */
    private static final int REFRESH_BATCHES_PER_TICK = 4;

    /** Why a lookup failed: {@code homeport_user_lookup_failures_total{reason}}. */
    public enum Failure { TIMEOUT, UNAVAILABLE, ERROR;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A lookup that failed; {@link #failure} says why. */
    public static final class LookupFailedException extends Exception {
        private final Failure failure;

        LookupFailedException(Failure failure, String message, Throwable cause) {
            super(message, cause);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }

    /** The settings of {@code directory.redis}. */
    public record Settings(List<String> uris, Duration lookupTimeout, long nearCacheMaxEntries, Duration nearCacheTtl) {
        public Settings {
            uris = List.copyOf(uris);
            if (uris.isEmpty()) {
                throw new IllegalArgumentException("directory.redis.uris: at least one redis:// URI");
            }
        }
    }

    private final Settings settings;
    private final RedisPins lookups;
    /** Makes the tracking connections, one to each node holding pins. */
    private final RedisClient trackingClient;
    /** Per node (its URI), the RESP3 connection that has tracking on and receives the invalidations. */
    private final Map<String, StatefulRedisConnection<String, String>> tracking = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reconciler;
    private final PinNearCache nearCache;
    /** Misses in flight, one per user: concurrent requests for one user share one GET (refreshes go in MGET batches). */
    private final ConcurrentHashMap<String, CompletableFuture<Pin>> inFlight = new ConcurrentHashMap<>();
    private final LongAdder[] failures = {new LongAdder(), new LongAdder(), new LongAdder()};
    private final LongAdder invalidations = new LongAdder();
    /** Numbers every invalidation and emptying, so a read can tell whether one happened while it was in flight. */
    private final java.util.concurrent.atomic.AtomicLong invalidationSeq = new java.util.concurrent.atomic.AtomicLong();
    /** The number of the last emptying of the near-cache. */
    private volatile long emptiedAt;
    /** Users whose pin key was invalidated in the last {@link #INVALIDATIONS_KEPT}: the invalidation's number and time. */
    private final ConcurrentHashMap<String, long[]> invalidated = new ConcurrentHashMap<>();
    /** Stale entries waiting to be read again, in batches; {@link #refreshing} keeps each user in it once. */
    private final java.util.concurrent.ConcurrentLinkedQueue<String> staleQueue = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.Set<String> refreshing = ConcurrentHashMap.newKeySet();
    /** Tracking connections that dropped; their reconnect empties the near-cache. */
    private final java.util.Set<Object> trackingLost = ConcurrentHashMap.newKeySet();

    private PinDirectory(Settings settings, RedisPins lookups, RedisClient trackingClient) {
        this.settings = settings;
        this.lookups = lookups;
        this.trackingClient = trackingClient;
        // Stale while revalidating: stale entries are read again in batches; a failed refresh keeps them.
        this.nearCache = new PinNearCache(settings.nearCacheMaxEntries(), settings.nearCacheTtl(), this::queueRefresh);
        // Two threads: the near-cache's clock keeps ticking while a reconciliation waits on a node.
        this.reconciler = Executors.newScheduledThreadPool(2, task -> {
            Thread thread = new Thread(task, "homeport-pin-tracking");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects to Redis — one node, or a Redis Cluster, whichever the first URI is — and turns on
     * invalidations for pin keys on every node holding pins. Fails if Redis cannot be reached: a
     * gateway should not start serving pins it cannot keep current.
     */
    public static PinDirectory connect(Settings settings, Duration connectTimeout) {
        RedisPins lookups = RedisPins.connect(settings.uris(), settings.lookupTimeout(), true);
        RedisClient trackingClient = RedisClient.create();
        trackingClient.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
        PinDirectory directory = new PinDirectory(settings, lookups, trackingClient);
        try {
            trackingClient.addListener(directory.new TrackingState());
            directory.reconcileTracking();
            if (directory.tracking.isEmpty()) {
                throw new IllegalStateException("no Redis node to track pins on (" + settings.uris() + ")");
            }
            // A cluster's masters change on fail-over: the new ones are tracked within a second.
            directory.reconciler.scheduleWithFixedDelay(directory::reconcileTrackingQuietly, 1, 1, TimeUnit.SECONDS);
            long tick = PinNearCache.TICK.toNanos();
            directory.reconciler.scheduleAtFixedRate(directory::tick, tick, tick, TimeUnit.NANOSECONDS);
            return directory;
        } catch (RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    /** Tracks every node holding pins, and stops tracking nodes that no longer do. */
    private void reconcileTracking() {
        java.util.Set<String> current = new java.util.HashSet<>();
        for (RedisURI node : lookups.masters()) {
            String key = node.getHost() + ":" + node.getPort();
            current.add(key);
            if (!tracking.containsKey(key)) {
                RedisURI uri = RedisURI.create(node.getHost(), node.getPort());
                uri.setTimeout(Duration.ofSeconds(2));
                StatefulRedisConnection<String, String> connection = trackingClient.connect(uri);
                connection.addListener(this::onPush);
                connection.sync().clientTracking(trackingArgs());
                // Writes on this node before tracking was on were never announced to us.
                emptyNearCache();
                tracking.put(key, connection);
            }
        }
        tracking.keySet().removeIf(key -> {
            if (current.contains(key)) {
                return false;
            }
            tracking.get(key).closeAsync();
            return true;
        });
    }

    private void emptyNearCache() {
        emptiedAt = invalidationSeq.incrementAndGet();
        nearCache.invalidateAll();
    }

    /** Whether {@code userId}'s pin may have changed since invalidation number {@code seq}. */
    private boolean invalidatedSince(String userId, long seq) {
        long[] last = invalidated.get(userId);
        return emptiedAt > seq || last != null && last[0] > seq;
    }

    /** Every {@link PinNearCache#TICK}: the near-cache's clock, old invalidations forgotten, stale entries read again. */
    private void tick() {
        try {
            nearCache.tick();
            long now = System.nanoTime();
            if (!invalidated.isEmpty()) {
                invalidated.values().removeIf(last -> now - last[1] > INVALIDATIONS_KEPT);
            }
            refreshStale();
        } catch (RuntimeException e) {
            // Redis is away or the topology moving: stale entries keep serving, and the next tick tries again.
        }
    }

    private void queueRefresh(String userId) {
        if (refreshing.add(userId)) {
            staleQueue.add(userId);
        }
    }

    /**
     * Reads the stale entries again, many keys per MGET: a hot set turns stale together (it was
     * read together), and one GET per user would cost the gateway a round trip's work each.
     */
    private void refreshStale() {
        for (int batch = 0; batch < REFRESH_BATCHES_PER_TICK && !staleQueue.isEmpty(); batch++) {
            List<String> users = new java.util.ArrayList<>(REFRESH_BATCH);
            for (String user; users.size() < REFRESH_BATCH && (user = staleQueue.poll()) != null; ) {
                users.add(user);
            }
            String[] keys = users.stream().map(user -> KEY_PREFIX + user).toArray(String[]::new);
            long started = invalidationSeq.get();
            try {
                lookups.mget(keys).toCompletableFuture().orTimeout(REFRESH_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)
                        .whenComplete((values, error) -> {
                            if (error == null) {
                                for (io.lettuce.core.KeyValue<String, String> value : values) {
                                    String user = value.getKey().substring(KEY_PREFIX.length());
                                    // Invalidated meanwhile: the entry is gone, and the next request reads it afresh.
                                    if (!invalidatedSince(user, started)) {
                                        nearCache.put(user, value.getValueOrElse(null));
                                    }
                                }
                            } else {
                                failed("refresh of " + users.size() + " stale pins", error);
                            }
                            users.forEach(refreshing::remove);
                        });
            } catch (RuntimeException e) { // rejected at once: disconnected
                failed("refresh of " + users.size() + " stale pins", e);
                users.forEach(refreshing::remove);
            }
        }
    }

    private void reconcileTrackingQuietly() {
        try {
            reconcileTracking();
        } catch (RuntimeException e) {
            // The node is down or the topology moving: the next round tries again; meanwhile entries
            // age out by their ttl.
        }
    }

    /** A tracking connection that drops and comes back has missed invalidations: start over. */
    private final class TrackingState implements RedisConnectionStateListener {
        @Override
        public void onRedisDisconnected(io.lettuce.core.RedisChannelHandler<?, ?> connection) {
            trackingLost.add(connection);
        }

        @Override
        public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, SocketAddress address) {
            if (trackingLost.remove(connection) && connection instanceof StatefulRedisConnection<?, ?> reconnected) {
                emptyNearCache();
                @SuppressWarnings("unchecked")
                StatefulRedisConnection<String, String> typed = (StatefulRedisConnection<String, String>) reconnected;
                typed.async().clientTracking(trackingArgs());
            }
        }
    }

    private static TrackingArgs trackingArgs() {
        return TrackingArgs.Builder.enabled().bcast().prefixes(KEY_PREFIX);
    }

    private void onPush(PushMessage message) {
        if (!"invalidate".equals(message.getType())) {
            return;
        }
        List<Object> content = message.getContent();
        Object keys = content.size() > 1 ? content.get(1) : null;
        if (keys == null) { // FLUSHALL / FLUSHDB: everything may have changed
            emptyNearCache();
            invalidations.increment();
            return;
        }
        if (keys instanceof List<?> list) {
            for (Object key : list) {
                String text = key instanceof ByteBuffer buffer ? StandardCharsets.UTF_8.decode(buffer.duplicate()).toString()
                        : String.valueOf(key);
                if (text.startsWith(KEY_PREFIX)) {
                    String userId = text.substring(KEY_PREFIX.length());
                    // Numbered before the entry goes: a read in flight then sees it (invalidatedSince).
                    invalidated.put(userId, new long[] {invalidationSeq.incrementAndGet(), System.nanoTime()});
                    nearCache.invalidate(userId);
                    invalidations.increment();
                }
            }
        }
    }

    /**
     * The pin the near-cache holds for {@code userId} (fresh, or stale: a stale one is refreshed in
     * the background), or null when it holds nothing: then {@link #lookup} asks Redis. Never blocks.
     */
    public Pin cached(String userId) {
        return nearCache.cached(userId);
    }

    /**
     * What the decision reads: the near-cache's answer (a region, or null for "no pin"), or
     * {@link io.homeport.routing.ExternalPins#UNAVAILABLE} when it holds nothing for the user. A
     * framing that gets such a decision fetches the pin ({@link #prefetch}) and decides again; a
     * miss then means the fetch failed, and the failure policy decides.
     */
    @Override
    public String pinOf(CharSequence userId) {
        return nearCache.pinOf(userId);
    }

    /** The same with the id's fingerprint, which the decision has computed: the near-cache's key. */
    @Override
    public String pinOf(CharSequence userId, long stableHash, int secondHash) {
        return nearCache.pinOf(userId, stableHash, secondHash);
    }

    @Override
    public String origin(CharSequence userId) {
        return nearCache.origin(userId);
    }

    /**
     * For a framing, once it has decided {@code decision} without waiting: null when that decision
     * stands — it read the user's pin (or its absence) from the near-cache, or the rules keep no pins
     * in Redis, or the request names no user; else a stage completing, normally, once the pin has
     * been fetched or the fetch failed. A null {@code decision} asks the near-cache alone.
     */
    public java.util.concurrent.CompletionStage<?> prefetch(io.homeport.rules.RoutingRules rules, String userId,
            io.homeport.routing.Decision decision) {
        // Every request comes through here: a decision that read the pin ends it with a comparison, the
        // near-cache read once per request. Only a pin the decision could not read — the request decided
        // by the failure policy, or refused because its GeoIP lookup failed before the pin could say
        // where it goes — is looked for again, and fetched unless the near-cache holds it after all
        // (a pin naming no region of the rules: fetching it again would read the same).
        if (decision != null && decision.reason() != io.homeport.routing.Reason.PIN_UNAVAILABLE
                && decision.reason() != io.homeport.routing.Reason.LOOKUP_ERROR) {
            return null;
        }
        io.homeport.rules.UserPins users = userId == null ? null : rules.residency().users().orElse(null);
        if (users == null || users.source() != io.homeport.rules.UserPins.Source.REDIS || nearCache.holds(userId)) {
            return null;
        }
        return fetch(userId).handle((pin, error) -> null);
    }

    /** The user's pin: from the near-cache, else from Redis within the lookup timeout. */
    public CompletableFuture<Pin> lookup(String userId) {
        Pin cached = cached(userId);
        return cached != null ? CompletableFuture.completedFuture(cached) : fetch(userId);
    }

    private CompletableFuture<Pin> fetch(String userId) {
        CompletableFuture<Pin> existing = inFlight.get(userId);
        if (existing != null) {
            return existing;
        }
        CompletableFuture<Pin> result = new CompletableFuture<>();
        existing = inFlight.putIfAbsent(userId, result);
        if (existing != null) {
            return existing;
        }
        long started = invalidationSeq.get();
        try {
            lookups.get(KEY_PREFIX + userId).toCompletableFuture()
                    .orTimeout(settings.lookupTimeout().toNanos(), TimeUnit.NANOSECONDS)
                    .whenComplete((value, error) -> {
                        inFlight.remove(userId, result);
                        if (error == null) {
                            // An invalidation that arrived while the GET was in flight (on another connection:
                            // the reply may predate the write it announced): serve it once, then read it again.
                            nearCache.putFetched(userId, value, invalidatedSince(userId, started));
                            result.complete(new Pin(value, Pin.Source.REDIS));
                        } else {
                            result.completeExceptionally(failed("pin of " + userId, error));
                        }
                    });
        } catch (RuntimeException e) { // rejected at once: disconnected
            inFlight.remove(userId, result);
            result.completeExceptionally(failed("pin of " + userId, e));
        }
        return result;
    }

    private LookupFailedException failed(String what, Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        Failure failure = cause instanceof TimeoutException || cause instanceof io.lettuce.core.RedisCommandTimeoutException
                ? Failure.TIMEOUT
                : cause instanceof io.lettuce.core.RedisConnectionException || cause instanceof io.lettuce.core.RedisException
                        && Objects.toString(cause.getMessage(), "").contains("not connected")
                        ? Failure.UNAVAILABLE : Failure.ERROR;
        failures[failure.ordinal()].increment();
        return new LookupFailedException(failure, what + ": " + failure.key() + " (" + cause + ")", cause);
    }

    /** Lookups that failed for {@code reason}, since start. */
    public long failures(Failure reason) {
        return failures[reason.ordinal()].sum();
    }

    /** Pin keys Redis told this gateway changed, since start. */
    public long invalidations() {
        return invalidations.sum();
    }

    /** Entries in the near-cache now (approximate). */
    public long nearCacheSize() {
        return nearCache.size();
    }

    /** Whether the pins are in a Redis Cluster. */
    public boolean cluster() {
        return lookups.cluster();
    }

    @Override
    public void close() {
        reconciler.shutdownNow();
        tracking.values().forEach(StatefulRedisConnection::close);
        tracking.clear();
        lookups.close();
        trackingClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
