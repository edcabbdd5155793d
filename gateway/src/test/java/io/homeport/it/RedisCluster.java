package io.homeport.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster on loopback: three masters, a replica each ({@code redis-cli --cluster
 * create}), a one-second node timeout so a killed master's replica takes over within seconds.
 */
final class RedisCluster implements AutoCloseable {

    static final Path CLI = Path.of("/usr/bin/redis-cli");

    final List<RedisServer> nodes = new ArrayList<>();

    RedisCluster(Path directory) throws Exception {
        this(directory, Duration.ofSeconds(1));
    }

    /** With {@code nodeTimeout}: how long a node may not answer before the others count it failed. */
    RedisCluster(Path directory, Duration nodeTimeout) throws Exception {
        OperatorTool.requireInstalled(CLI, "Debian package redis-tools (installed with redis-server)");
        try {
            for (int i = 0; i < 6; i++) {
                // Validity factor 0: a replica of a fresh, idle cluster takes over whatever its data's
                // age (Redis otherwise judges an idle link "disconnected for too long" and never fails over).
                nodes.add(new RedisServer(directory.resolve("node-" + i), "--cluster-enabled", "yes",
                        "--cluster-node-timeout", Long.toString(nodeTimeout.toMillis()),
                        "--cluster-replica-validity-factor", "0",
                        // A replica's first sync at once, not after Redis's usual 5 s wait for more replicas.
                        "--repl-diskless-sync-delay", "0",
                        "--cluster-config-file", directory.resolve("node-" + i).resolve("nodes.conf").toString(),
                        "--appendonly", "no"));
            }
            List<String> create = new ArrayList<>(List.of(CLI.toString(), "--cluster", "create"));
            nodes.forEach(node -> create.add("127.0.0.1:" + node.port()));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            String output = run(create, 60);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // Every node, not just the first: a node that has not yet seen every slot assigned
            // answers CLUSTERDOWN to the keys it should serve.
            for (RedisServer node : nodes) {
                while (!clusterInfo(node).contains("cluster_state:ok")) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("node " + node.port() + " did not become ok: " + output);
                    }
                    Thread.sleep(100);
                }
            }
            // And every replica in sync with its master: a replica that has not had its first sync
            // holds nothing, and taking over would lose every key of its slots.
            while (syncedReplicas() < nodes.size() / 2) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("only " + syncedReplicas() + " replicas in sync with their masters: " + output);
                }
                Thread.sleep(100);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    String seed() {
        return nodes.get(0).uri();
    }

    /** The node serving {@code key}'s slot as master now. */
    RedisServer masterOf(String key) throws Exception {
        String slot = run(List.of(CLI.toString(), "-p", Integer.toString(nodes.get(0).port()), "cluster", "keyslot", key), 10).trim();
        for (String line : run(List.of(CLI.toString(), "-p", Integer.toString(nodes.get(0).port()), "cluster", "nodes"), 10).split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
                continue;
            }
            for (int i = 8; i < fields.length; i++) {
                String[] range = fields[i].split("-");
                int from = Integer.parseInt(range[0]);
                int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                int wanted = Integer.parseInt(slot);
                if (wanted >= from && wanted <= to) {
                    int port = Integer.parseInt(fields[1].split("[:@]")[1]);
                    return nodes.stream().filter(node -> node.port() == port).findFirst().orElseThrow();
                }
            }
        }
        throw new IOException("no master for slot " + slot);
    }

    /** The replica of {@code master}, as the replica itself says (the others' view of it follows by gossip). */
    RedisServer replicaOf(RedisServer master) throws Exception {
        for (RedisServer node : nodes) {
            String replication = replication(node);
            if (replication.contains("role:slave")
                    && replication.lines().map(String::strip).anyMatch(("master_port:" + master.port())::equals)) {
                return node;
            }
        }
        throw new IOException("no replica of " + master.port());
    }

    private int syncedReplicas() throws Exception {
        int synced = 0;
        for (RedisServer node : nodes) {
            String replication = replication(node);
            if (replication.contains("role:slave") && replication.contains("master_link_status:up")) {
                synced++;
            }
        }
        return synced;
    }

    private static String replication(RedisServer node) throws Exception {
        return run(List.of(CLI.toString(), "-p", Integer.toString(node.port()), "info", "replication"), 10);
    }

    /** {@code CLUSTER NODES} as {@code node} sees the cluster: for a failure's message. */
    String nodesView(RedisServer node) {
        try {
            return run(List.of(CLI.toString(), "-p", Integer.toString(node.port()), "cluster", "nodes"), 10);
        } catch (Exception e) {
            return "(cluster nodes failed: " + e + ")";
        }
    }

    static String clusterInfo(RedisServer node) throws Exception {
        return run(List.of(CLI.toString(), "-p", Integer.toString(node.port()), "cluster", "info"), 10);
    }

    static String run(List<String> command, int seconds) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in " + seconds + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    @Override
    public void close() throws InterruptedException {
        for (RedisServer node : nodes) {
            node.close();
        }
    }
}
