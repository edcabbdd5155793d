package io.homeport.directory;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.ConnectionIntent;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The pin keys in Redis, on one node or a Redis Cluster — whichever the first URI turns out to be
 * ({@code INFO cluster}), so operators give the same URIs either way (a cluster's seed nodes). The
 * cluster client routes each key to its slot's master, splits an MSET by slot, and follows
 * fail-overs (its topology is refreshed every second and on redirects). On one node, commands are
 * refused at once while disconnected; in a cluster they may wait for a node's connection, at most
 * for the command timeout.
 */
final class RedisPins implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisClusterClient clusterClient;
    private final StatefulRedisClusterConnection<String, String> clusterConnection;
    private final List<RedisURI> seeds;

    private RedisPins(RedisClient client, StatefulRedisConnection<String, String> connection, RedisClusterClient clusterClient,
            StatefulRedisClusterConnection<String, String> clusterConnection, List<RedisURI> seeds) {
        this.client = client;
        this.connection = connection;
        this.clusterClient = clusterClient;
        this.clusterConnection = clusterConnection;
        this.seeds = seeds;
    }

    /**
     * Connects. {@code commandTimeout} bounds every command; with {@code failFast}, commands are
     * refused at once while disconnected (a request never waits for a reconnect).
     */
    static RedisPins connect(List<String> uris, Duration commandTimeout, boolean failFast) {
        List<RedisURI> seeds = uris.stream().map(uri -> {
            RedisURI parsed = RedisURI.create(uri);
            parsed.setTimeout(commandTimeout.compareTo(Duration.ofSeconds(2)) < 0 ? Duration.ofSeconds(2) : commandTimeout);
            return parsed;
        }).toList();
        if (!isCluster(seeds.get(0))) {
            RedisClient client = RedisClient.create(seeds.get(0));
            client.setOptions(ClientOptions.builder()
                    .protocolVersion(ProtocolVersion.RESP3)
                    .disconnectedBehavior(failFast ? ClientOptions.DisconnectedBehavior.REJECT_COMMANDS
                            : ClientOptions.DisconnectedBehavior.DEFAULT)
                    .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                    .build());
            try {
                return new RedisPins(client, client.connect(), null, null, seeds);
            } catch (RuntimeException e) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
                throw e;
            }
        }
        RedisClusterClient cluster = RedisClusterClient.create(seeds);
        cluster.setOptions(ClusterClientOptions.builder()
                .protocolVersion(ProtocolVersion.RESP3)
                // Per-node connections open on first use, so commands may wait for one (or for a
                // fail-over's reconnect) — bounded by the command timeout, and in number.
                .requestQueueSize(failFast ? 10_000 : Integer.MAX_VALUE)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(1))
                        .enableAllAdaptiveRefreshTriggers()
                        .build())
                .build());
        try {
            return new RedisPins(null, null, cluster, cluster.connect(), seeds);
        } catch (RuntimeException e) {
            cluster.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            throw e;
        }
    }

    private static boolean isCluster(RedisURI uri) {
        RedisClient probe = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = probe.connect()) {
            return connection.sync().info("cluster").contains("cluster_enabled:1");
        } finally {
            probe.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    boolean cluster() {
        return clusterConnection != null;
    }

    /** The nodes holding pins now: the one node, or the cluster's masters as its topology says. */
    List<RedisURI> masters() {
        if (clusterConnection == null) {
            return List.of(seeds.get(0));
        }
        return clusterConnection.getPartitions().stream()
                .filter(node -> node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.is(RedisClusterNode.NodeFlag.FAIL))
                .map(RedisClusterNode::getUri)
                .toList();
    }

    RedisFuture<String> get(String key) {
        return clusterConnection != null ? clusterConnection.async().get(key) : connection.async().get(key);
    }

    /** The values of {@code keys}, in a cluster fetched per slot and put back in order. */
    RedisFuture<List<io.lettuce.core.KeyValue<String, String>>> mget(String[] keys) {
        return clusterConnection != null ? clusterConnection.async().mget(keys) : connection.async().mget(keys);
    }

    String setGet(String key, String value) {
        return clusterConnection != null ? clusterConnection.sync().setGet(key, value) : connection.sync().setGet(key, value);
    }

    long incrby(String key, long amount) {
        return clusterConnection != null ? clusterConnection.sync().incrby(key, amount) : connection.sync().incrby(key, amount);
    }

    String getdel(String key) {
        return clusterConnection != null ? clusterConnection.sync().getdel(key) : connection.sync().getdel(key);
    }

    String getSync(String key) {
        return clusterConnection != null ? clusterConnection.sync().get(key) : connection.sync().get(key);
    }

    RedisFuture<String> mset(Map<String, String> pairs) {
        return clusterConnection != null ? clusterConnection.async().mset(pairs) : connection.async().mset(pairs);
    }

    /**
     * Waits until the writes so far reached a replica of every node holding pins (Redis WAIT), up to
     * {@code timeout}: a pin only on a master that dies is lost with it, and a user whose pin is
     * lost is served by their country's region — not where their data is. Returns the nodes whose
     * replicas did not confirm (none when no node has a replica: then there is nothing to wait for).
     */
    List<String> awaitReplicas(Duration timeout) {
        List<String> unconfirmed = new java.util.ArrayList<>();
        if (clusterConnection == null) {
            if (!replicated(() -> connection, timeout)) {
                unconfirmed.add(seeds.get(0).getHost() + ":" + seeds.get(0).getPort());
            }
            return unconfirmed;
        }
        for (RedisClusterNode node : clusterConnection.getPartitions()) {
            if (!node.is(RedisClusterNode.NodeFlag.UPSTREAM) || node.is(RedisClusterNode.NodeFlag.FAIL) || node.getSlots().isEmpty()) {
                continue; // holds no pins (a new replica shows as a master without slots until gossip says otherwise)
            }
            // WAIT counts the writes made on its own connection: ask for the one the cluster client
            // routes this master's writes over, which it keys by host and port.
            if (!replicated(() -> clusterConnection.getConnection(node.getUri().getHost(), node.getUri().getPort(),
                    ConnectionIntent.WRITE), timeout)) {
                unconfirmed.add(node.getUri().getHost() + ":" + node.getUri().getPort());
            }
        }
        return unconfirmed;
    }

    /**
     * Whether a replica of {@code connection}'s node confirmed the writes made on it within {@code
     * timeout} (WAIT), or the node has no replica to wait for. The node says which itself: the
     * cluster's view of a new replica follows by gossip, later.
     */
    private static boolean replicated(Supplier<StatefulRedisConnection<String, String>> connection, Duration timeout) {
        try {
            RedisCommands<String, String> node = connection.get().sync();
            return node.info("replication").contains("connected_slaves:0") || node.waitForReplication(1, timeout.toMillis()) >= 1;
        } catch (RedisException unanswered) { // timed out, or the node went away after the write: not confirmed
            return false;
        }
    }

    @Override
    public void close() {
        if (clusterConnection != null) {
            clusterConnection.close();
            clusterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } else {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
