package io.homeport.geodns;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A PowerDNS authoritative server ({@code pdns_server}, Debian packages pdns-server and
 * pdns-backend-geoip) serving a table of edges through its GeoIP backend, on a loopback UDP port,
 * in the foreground, its files in one directory. For the local world and the tests; a production
 * server loads the same two generated files from its own configuration.
 */
public final class PowerDnsProcess implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/pdns_server");
    /** Where Debian puts the backend: under the architecture's library directory. */
    static final String GEOIP_BACKEND_FILE = "pdns/libgeoipbackend.so";

    private final Process process;
    private final InetSocketAddress address;
    private final Path log;

    private PowerDnsProcess(Process process, InetSocketAddress address, Path log) {
        this.process = process;
        this.address = address;
        this.log = log;
    }

    /** Whether this machine has the server and its GeoIP backend. */
    public static boolean isInstalled() {
        if (!Files.isExecutable(BINARY)) {
            return false;
        }
        try (var libraries = Files.list(Path.of("/usr/lib"))) {
            return libraries.anyMatch(directory -> Files.exists(directory.resolve(GEOIP_BACKEND_FILE)));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Writes the zone and settings into {@code directory} and starts the server on {@code listen}
     * (port 0: a free one), returning once it answers or failing with its log.
     */
    public static PowerDnsProcess start(Path directory, EdgeTable table, Path database, InetAddress listen, int port)
            throws IOException, InterruptedException {
        if (!isInstalled()) {
            throw new IOException(BINARY + " with its GeoIP backend is not installed (Debian packages pdns-server, pdns-backend-geoip)");
        }
        Files.createDirectories(directory);
        for (int attempt = 1; ; attempt++) {
            try {
                return startOn(directory, table, database, listen, port != 0 ? port : freePort(listen));
            } catch (IOException e) {
                // A port found free can be taken before the server binds it (by any process's outgoing
                // connection): when the port was ours to choose, choose another.
                if (port != 0 || attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static PowerDnsProcess startOn(Path directory, EdgeTable table, Path database, InetAddress listen, int chosen)
            throws IOException, InterruptedException {
        Path zoneFile = directory.resolve("geo-zones.yaml");
        Files.writeString(zoneFile, PowerDnsGeoZone.zoneFile(table, listen, Instant.now().getEpochSecond()));
        Files.writeString(directory.resolve("pdns.conf"), PowerDnsGeoZone.backendSettings(database, zoneFile) + String.join("\n",
                "local-address=" + listen.getHostAddress(),
                "local-port=" + chosen,
                "socket-dir=" + directory.toAbsolutePath(),
                "guardian=no",
                "daemon=no",
                "disable-syslog=yes",
                "write-pid=no",
                "webserver=no",
                "api=no",
                "security-poll-suffix=",
                "loglevel=4",
                ""));
        Path log = directory.resolve("pdns.log");
        Process process = new ProcessBuilder(BINARY.toString(), "--config-dir=" + directory.toAbsolutePath())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PowerDnsProcess server = new PowerDnsProcess(process, new InetSocketAddress(listen, chosen), log);
        server.awaitReady();
        return server;
    }

    public InetSocketAddress address() {
        return address;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("pdns_server exited " + process.exitValue() + ": " + Files.readString(log));
            }
            if (Files.exists(log) && Files.readString(log).contains("ready to distribute questions")) {
                return;
            }
            Thread.sleep(50);
        }
        close();
        throw new IOException("pdns_server did not start in 10 s: " + Files.readString(log));
    }

    /** A port free on {@code listen} for both UDP and TCP, which a DNS server binds both of. */
    public static int freePort(InetAddress listen) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(0, listen); java.net.ServerSocket tcp = new java.net.ServerSocket()) {
                tcp.bind(new InetSocketAddress(listen, udp.getLocalPort()));
                return udp.getLocalPort();
            } catch (java.net.BindException taken) {
                // the TCP port of this UDP port is in use: another
            }
        }
        throw new IOException("no port on " + listen.getHostAddress() + " is free for both UDP and TCP");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
