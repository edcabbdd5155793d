package io.homeport.canary;

import io.homeport.accesslog.UserHashKey;
import io.homeport.proxy.CompletedExchange;
import io.homeport.proxy.ExchangeListener;
import io.homeport.residency.MigrationBucket;
import io.homeport.residency.StableHash;
import io.homeport.routing.IpAddresses;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A bounded sample of the traffic the gateway recently served: client networks (/24, /48) by user
 * with request counts, for the reload canary. A user is kept as two hashes, never as the id: the
 * 64-bit hash the decision uses (for pins and migration buckets; in memory only) and the access
 * log's keyed hash (what the export carries). Told of every completed request, on its
 * event loop, then tells the next listener.
 *
 * <p>Each event loop thread counts in a table of its own ({@value #SLOTS} slots, so two event loops
 * hold up to 65,536 entries), so recording takes no lock and no allocation: a slot holds one
 * (network, user) pair and its count; a request of another pair that lands on an occupied slot
 * lowers the occupant's count and takes the slot when it reaches 0, so the pairs with the most
 * requests stay (the frequent-items heuristic). Every {@link #age() aging} pass, run by each event
 * loop on its own table, halves the counts, so the sample follows recent traffic. Reading the
 * sample from another thread may see a count in the middle of an update: it is an estimate.
 */
public final class TrafficSample implements ExchangeListener {

    static final int SLOTS = 1 << 15;
    private static final long IPV4 = 1L << 60;
    private static final long IPV6 = 2L << 60;

    private final ExchangeListener next;
    private final UserHashKey userHashKey;
    private final List<Table> tables = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<Table> table = new FastThreadLocal<>() {
        @Override
        protected Table initialValue() {
            Table created = new Table();
            tables.add(created);
            return created;
        }
    };

    /** With the demo's user-hash key: for the demo and tests. */
    public TrafficSample(ExchangeListener next) {
        this(next, UserHashKey.DEMO);
    }

    /** @param userHashKey the access log's key: the exported sample names users as the log does */
    public TrafficSample(ExchangeListener next, UserHashKey userHashKey) {
        this.next = next;
        this.userHashKey = userHashKey;
    }

    @Override
    public void refused(CompletedExchange exchange) {
        next.refused(exchange); // not decided, so nothing to sample
    }

    @Override
    public void started() {
        next.started();
    }

    @Override
    public void completed(CompletedExchange exchange) {
        record(exchange.clientAddress(), exchange.userId());
        next.completed(exchange);
    }

    /** Counts one request of {@code client} (null: not counted) by {@code userId} (null for none). */
    public void record(InetAddress client, String userId) {
        if (client == null) {
            return;
        }
        long network = networkKey(client);
        long userHash = userId == null || userId.isEmpty() ? 0 : StableHash.of(userId);
        int bucket = userHash != 0 ? MigrationBucket.ofHash(userHash)
                : client instanceof Inet4Address v4 ? MigrationBucket.ofIpv4(IpAddresses.bitsOf(v4)) // no byte[] copy
                : MigrationBucket.of(client);
        table.get().record(network, userHash, bucket, userId, userHashKey);
    }

    /** Halves the counts of the calling thread's table; each event loop runs it on its own. */
    public void age() {
        table.get().age();
    }

    /** The sample now: every pair with a count, merged across event loops, most requests first. */
    public List<SampledTraffic> entries() {
        Map<Key, long[]> merged = new HashMap<>();
        for (Table each : tables) {
            each.copyInto(merged);
        }
        List<SampledTraffic> entries = new ArrayList<>(merged.size());
        merged.forEach((key, value) -> entries.add(new SampledTraffic(address(key.network), prefixOf(key.network),
                key.userHash, (int) value[1], value[0], value[2])));
        entries.sort((a, b) -> Long.compare(b.requests(), a.requests()));
        return entries;
    }

    private record Key(long network, long userHash) {}

    static long networkKey(InetAddress client) {
        if (client instanceof Inet4Address v4) {
            return IPV4 | (IpAddresses.bitsOf(v4) >>> 8);
        }
        byte[] bytes = client.getAddress();
        long prefix = 0;
        for (int i = 0; i < 6; i++) {
            prefix = prefix << 8 | (bytes[i] & 0xff);
        }
        return IPV6 | prefix;
    }

    private static int prefixOf(long network) {
        return (network & IPV4) != 0 ? 24 : 48;
    }

    private static InetAddress address(long network) {
        byte[] bytes;
        if ((network & IPV4) != 0) {
            int bits = (int) (network << 8);
            bytes = new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), 0};
        } else {
            bytes = new byte[16];
            for (int i = 0; i < 6; i++) {
                bytes[i] = (byte) (network >>> (8 * (5 - i)));
            }
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
        }
    }

    /** One event loop's counts; written only by its thread. */
    private static final class Table {
        final long[] networks = new long[SLOTS];
        final long[] users = new long[SLOTS];
        final int[] buckets = new int[SLOTS];
        final long[] counts = new long[SLOTS];
        final long[] logHashes = new long[SLOTS];

        void record(long network, long userHash, int bucket, String userId, UserHashKey userHashKey) {
            long mixed = (network * 0x9E3779B97F4A7C15L) ^ userHash;
            int slot = (int) (mixed ^ mixed >>> 29) & (SLOTS - 1);
            long count = counts[slot];
            if (count > 0 && networks[slot] == network && users[slot] == userHash) {
                counts[slot] = count + 1;
            } else if (count > 1) {
                counts[slot] = count - 1; // another pair's request: the occupant yields a little
            } else {
                networks[slot] = network;
                users[slot] = userHash;
                buckets[slot] = bucket;
                // The keyed hash only when a pair takes a slot, not per request: an HMAC costs a microsecond.
                logHashes[slot] = userHash == 0 ? 0 : userHashKey.hash64(userId);
                counts[slot] = 1;
            }
        }

        void age() {
            for (int slot = 0; slot < SLOTS; slot++) {
                counts[slot] >>= 1;
            }
        }

        void copyInto(Map<Key, long[]> merged) {
            for (int slot = 0; slot < SLOTS; slot++) {
                long count = counts[slot];
                if (count > 0) {
                    long[] value = merged.computeIfAbsent(new Key(networks[slot], users[slot]), k -> new long[3]);
                    value[0] += count;
                    value[1] = buckets[slot];
                    value[2] = logHashes[slot];
                }
            }
        }
    }
}
