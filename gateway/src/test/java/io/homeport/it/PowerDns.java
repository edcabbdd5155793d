package io.homeport.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real PowerDNS authoritative server (Debian's pdns-server with the bind backend) on a loopback
 * port, serving one zone written by the test. Without pdns_server the test is skipped on a
 * developer's machine and fails under CI ({@code .ci/install-test-tools.sh} installs it).
 */
final class PowerDns implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/pdns_server");

    private final Process process;
    private final int port;
    private final Path zoneFile;
    private final String zone;

    /** Serves {@code zone} with A records (name relative to the zone → address) and their TTL. */
    PowerDns(Path directory, String zone, Map<String, List<String>> records, int ttlSeconds) throws Exception {
        OperatorTool.requireInstalled(BINARY, "Debian packages pdns-server, pdns-backend-bind");
        this.zone = zone;
        this.port = io.homeport.geodns.PowerDnsProcess.freePort(InetAddress.getLoopbackAddress()); // UDP and TCP both
        this.zoneFile = directory.resolve(zone + ".zone");
        writeZone(records, ttlSeconds, 1);
        Files.writeString(directory.resolve("named.conf"), "zone \"" + zone + "\" { type master; file \"" + zoneFile + "\"; };\n");
        Files.writeString(directory.resolve("pdns.conf"), String.join("\n",
                "launch=bind",
                "bind-config=" + directory.resolve("named.conf"),
                "local-address=127.0.0.1",
                "local-port=" + port,
                "socket-dir=" + directory,
                "guardian=no",
                "daemon=no",
                "disable-syslog=yes",
                "write-pid=no",
                "webserver=no",
                "api=no",
                "loglevel=3",
                "") );
        process = new ProcessBuilder(BINARY.toString(), "--config-dir=" + directory)
                .redirectErrorStream(true).redirectOutput(directory.resolve("pdns.log").toFile()).start();
    }

    int port() {
        return port;
    }

    /** Rewrites the zone with new records (serial + 1) and has PowerDNS reload it. */
    void update(Map<String, List<String>> records, int ttlSeconds, int serial) throws Exception {
        writeZone(records, ttlSeconds, serial);
        Process control = new ProcessBuilder("/usr/bin/pdns_control", "--config-dir=" + zoneFile.getParent(), "bind-reload-now", zone)
                .redirectErrorStream(true).start();
        String output = new String(control.getInputStream().readAllBytes());
        if (!control.waitFor(10, TimeUnit.SECONDS) || control.exitValue() != 0) {
            fail("pdns_control bind-reload-now failed: " + output);
        }
    }

    private void writeZone(Map<String, List<String>> records, int ttlSeconds, int serial) throws IOException {
        StringBuilder text = new StringBuilder("$ORIGIN " + zone + ".\n$TTL " + ttlSeconds + "\n"
                + "@ IN SOA ns1 hostmaster " + serial + " 3600 600 86400 " + ttlSeconds + "\n@ IN NS ns1\nns1 IN A 127.0.0.1\n");
        records.forEach((name, addresses) -> addresses.forEach(address -> text.append(name).append(" IN A ").append(address).append('\n')));
        Path temporary = zoneFile.resolveSibling(zoneFile.getFileName() + ".tmp");
        Files.writeString(temporary, text);
        Files.move(temporary, zoneFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
