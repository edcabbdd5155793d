package io.homeport.directory;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;

/**
 * Writes pins: what the data copier does when a user's data has been copied, and what
 * {@code homeport pins} does for an SRE. Every key is {@link PinDirectory#KEY_PREFIX} and the user
 * id; the value is the region name.
 */
public final class PinStore implements AutoCloseable {

    /** User ids as the rules' users file allows them: printable ASCII without spaces or commas. */
    static final Pattern USER_ID = Pattern.compile("[!-+\\--~]{1,128}");
    static final Pattern REGION = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    /** Pins in one MSET. */
    static final int PIPELINE = 1_000;
    /** MSETs sent before the oldest one's reply is awaited. */
    static final int IN_FLIGHT = 8;

    private final RedisPins redis;
    /** How long a write waits for a replica's confirmation: within the command timeout, so Redis answers WAIT before the client gives up on it. */
    private final Duration replicationTimeout;

    private PinStore(RedisPins redis, Duration replicationTimeout) {
        this.redis = redis;
        this.replicationTimeout = replicationTimeout;
    }

    /** Connects to a Redis node, or to a Redis Cluster through one of its nodes; {@code timeout} bounds each command. */
    public static PinStore connect(String uri, Duration timeout) {
        return new PinStore(RedisPins.connect(List.of(uri), timeout, false), timeout.multipliedBy(4).dividedBy(5));
    }

    /** Where the copier's tools count the pins written for a migration: a counter beside the pins, not one of them. */
    public static String migrationCounterKey(String migration) {
        return "homeport:migration:" + migration + ":pins_written";
    }

    /** Adds {@code pins} to the pins written for {@code migration}; returns the new total. */
    public long countWritten(String migration, long pins) {
        return redis.incrby(migrationCounterKey(migration), pins);
    }

    /** The pins written for {@code migration} so far (by {@code homeport pins set|import --migration}). */
    public long written(String migration) {
        String value = redis.getSync(migrationCounterKey(migration));
        return value == null ? 0 : Long.parseLong(value);
    }

    public String get(String userId) {
        return redis.getSync(PinDirectory.KEY_PREFIX + checkedUser(userId));
    }

    /**
     * Pins the user to {@code region}; returns the pin it replaced, or null. Returns once a replica
     * has it too; else throws {@link UnconfirmedWrite}.
     */
    public String set(String userId, String region) {
        String before = redis.setGet(PinDirectory.KEY_PREFIX + checkedUser(userId), checkedRegion(region));
        replicated(before, 1);
        return before;
    }

    /** Removes the user's pin; returns the pin it had, or null. Returns once a replica has seen it; else throws {@link UnconfirmedWrite}. */
    public String delete(String userId) {
        String before = redis.getdel(PinDirectory.KEY_PREFIX + checkedUser(userId));
        replicated(before, 1);
        return before;
    }

    /**
     * A write Redis took but no replica of its master confirmed in time: done, but a fail-over now
     * would lose it. Says what the write did, for the audit log.
     */
    public static final class UnconfirmedWrite extends IllegalStateException {
        private final String before;
        private final long written;

        UnconfirmedWrite(String message, String before, long written) {
            super(message);
            this.before = before;
            this.written = written;
        }

        /** For a set or a delete: the pin the write replaced, or null. */
        public String before() {
            return before;
        }

        /** The pins written (an import's rows; 1 for a set or a delete). */
        public long written() {
            return written;
        }
    }

    /** Where Redis has replicas, a pin counts as written once one of them has it (WAIT). */
    private void replicated(String before, long written) {
        List<String> unconfirmed = redis.awaitReplicas(replicationTimeout);
        if (!unconfirmed.isEmpty()) {
            throw new UnconfirmedWrite("written, but no replica of " + unconfirmed + " confirmed it within "
                    + replicationTimeout.toMillis() + " ms: a fail-over now would lose it; write it again", before, written);
        }
    }

    /** A row of a users file that cannot be imported. */
    public record BadRow(int line, String problem) {}

    /**
     * Checks a {@code user_id,region} file (an optional header, blank lines and # comments, as the
     * rules' users file): every bad row, up to a hundred, or none. {@code regions}: the names
     * allowed, or empty for any well-formed name.
     */
    public static List<BadRow> check(Path file, Set<String> regions) throws IOException {
        List<BadRow> bad = new ArrayList<>();
        forEachRow(file, (line, user, region) -> {
            String problem = user == null ? "expected user_id,region"
                    : !USER_ID.matcher(user).matches() ? "user id \"" + user + "\" (expected printable ASCII, no spaces or commas, at most 128)"
                    : !REGION.matcher(region).matches() || (!regions.isEmpty() && !regions.contains(region))
                            ? "region \"" + region + "\"" + (regions.isEmpty() ? " is not a region name" : " is not one of " + regions)
                            : null;
            if (problem != null && bad.size() < 100) {
                bad.add(new BadRow(line, problem));
            }
        });
        return bad;
    }

    /**
     * Writes every row of a checked file: {@value #PIPELINE} pins an MSET, up to {@value #IN_FLIGHT}
     * MSETs in flight at once; {@code progress} gets the count acknowledged so far after each.
     * Returns the rows written, once replicas have them too; else throws {@link UnconfirmedWrite}.
     */
    public long importFile(Path file, Duration timeout, LongConsumer progress) throws IOException {
        java.util.ArrayDeque<RedisFuture<String>> inFlight = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<Integer> sizes = new java.util.ArrayDeque<>();
        java.util.Map<String, String> batch = new java.util.LinkedHashMap<>();
        long[] written = {0};
        forEachRow(file, (line, user, region) -> {
            if (user == null) {
                return; // check() refuses such a file before anything is written
            }
            // A user listed twice: the later row wins, as SET after SET would.
            batch.put(PinDirectory.KEY_PREFIX + user, region);
            if (batch.size() == PIPELINE) {
                send(redis, batch, inFlight, sizes);
                while (inFlight.size() >= IN_FLIGHT) {
                    written[0] += awaitOldest(inFlight, sizes, timeout);
                    progress.accept(written[0]);
                }
            }
        });
        send(redis, batch, inFlight, sizes);
        while (!inFlight.isEmpty()) {
            written[0] += awaitOldest(inFlight, sizes, timeout);
            progress.accept(written[0]);
        }
        replicated(null, written[0]);
        return written[0];
    }

    private static void send(RedisPins redis, java.util.Map<String, String> batch,
            java.util.ArrayDeque<RedisFuture<String>> inFlight, java.util.ArrayDeque<Integer> sizes) {
        if (batch.isEmpty()) {
            return;
        }
        inFlight.add(redis.mset(new java.util.HashMap<>(batch)));
        sizes.add(batch.size());
        batch.clear();
    }

    private static int awaitOldest(java.util.ArrayDeque<RedisFuture<String>> inFlight, java.util.ArrayDeque<Integer> sizes,
            Duration timeout) {
        RedisFuture<String> oldest = inFlight.poll();
        if (!LettuceFutures.awaitAll(timeout, oldest)) {
            throw new IllegalStateException("Redis did not answer an MSET of " + sizes.peek() + " pins within " + timeout);
        }
        return sizes.poll();
    }

    interface Row {
        void accept(int line, String user, String region);
    }

    static void forEachRow(Path file, Row row) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = reader.readLine()) != null) {
                line++;
                String trimmed = (line == 1 && text.startsWith("\uFEFF") ? text.substring(1) : text).strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#") || (line == 1 && trimmed.equals("user_id,region"))) {
                    continue;
                }
                int comma = trimmed.indexOf(',');
                if (comma < 0 || trimmed.indexOf(',', comma + 1) >= 0) {
                    row.accept(line, null, null);
                } else {
                    row.accept(line, trimmed.substring(0, comma).strip(), trimmed.substring(comma + 1).strip());
                }
            }
        }
    }

    private static String checkedUser(String userId) {
        if (!USER_ID.matcher(userId).matches()) {
            throw new IllegalArgumentException("user id \"" + userId + "\" (expected printable ASCII, no spaces or commas, at most 128)");
        }
        return userId;
    }

    private static String checkedRegion(String region) {
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("region \"" + region + "\" is not a region name");
        }
        return region;
    }

    @Override
    public void close() {
        redis.close();
    }
}
