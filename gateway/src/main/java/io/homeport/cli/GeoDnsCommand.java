package io.homeport.cli;

import io.homeport.geodns.EdgeTable;
import io.homeport.geodns.EdgeTableFile;
import io.homeport.geodns.PowerDnsGeoZone;
import io.homeport.geoip.GeoIpDatabase;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code homeport geodns}: the PowerDNS GeoIP zone generated from the table of edges. */
@Command(
        name = "geodns",
        mixinStandardHelpOptions = true,
        header = "Writes the GeoDNS zone (PowerDNS) from the table of edges.",
        description = {
            "Reads the table of edges (deploy/geodns/edges.example.yaml) and writes, into --out, the zone file of",
            "PowerDNS's GeoIP backend (geo-zones.yaml) and the settings that load it (pdns-geoip.conf), answering",
            "SERVICE.ZONE with the edge of the country of the phone's subnet (EDNS Client Subnet) or of its",
            "resolver. The GeoIP database is checked whole first: PowerDNS reads the same file the gateways do.",
            "Exit codes: 0 written, 1 a bad table or database, 2 usage."
        })
final class GeoDnsCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--edges", required = true, paramLabel = "edges.yaml", description = "The table of edges.")
    Path edges;

    @Option(names = "--geoip", required = true, paramLabel = "DB", description = "The MMDB file PowerDNS will read (a path on the DNS server).")
    Path geoip;

    @Option(names = "--name-server", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address of this name server, for the zone's NS record (default: ${DEFAULT-VALUE}).")
    String nameServer;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = ".", description = "Where to write the two files (default: the current directory).")
    Path out;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EdgeTable table;
        try {
            table = EdgeTableFile.load(edges);
        } catch (NoSuchFileException e) {
            err.println("homeport geodns: " + edges + ": no such file");
            return 1;
        } catch (EdgeTableFile.InvalidEdgeTableException e) {
            err.println(e.getMessage());
            return 1;
        }
        try (GeoIpDatabase database = GeoIpDatabase.open(geoip)) {
            stdout.println("GeoIP database: " + database.description());
        } catch (InvalidGeoIpDatabaseException e) {
            err.println("homeport geodns: GeoIP database refused: " + e.getMessage());
            return 1;
        }
        InetAddress nameServerAddress;
        try {
            nameServerAddress = InetAddress.getByName(nameServer);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--name-server " + nameServer + " (expected an address)");
        }
        Files.createDirectories(out);
        Path zoneFile = out.resolve("geo-zones.yaml");
        write(zoneFile, PowerDnsGeoZone.zoneFile(table, nameServerAddress, Instant.now().getEpochSecond()));
        Path settings = out.resolve("pdns-geoip.conf");
        write(settings, PowerDnsGeoZone.backendSettings(geoip, zoneFile));
        stdout.println("wrote " + zoneFile + " and " + settings + ": " + table.serviceName() + " answers "
                + table.edges().size() + " edges (default " + table.defaultEdge().name() + "), TTL " + table.ttlSeconds() + " s");
        stdout.println("load it: include " + settings + " in pdns.conf (or copy it to /etc/powerdns/pdns.d/), then restart pdns");
        stdout.flush();
        return 0;
    }

    /** Beside, then renamed over: PowerDNS never reads half a file. */
    private static void write(Path file, String text) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, text);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
