package io.homeport.bench.peers;

import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.Network;
import com.maxmind.db.Networks;
import com.maxmind.db.Reader;
import java.io.BufferedWriter;
import java.io.File;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes HAProxy's {@code map_ip} file for the peer benchmark: every network of a country-code
 * MMDB (records with a flat {@code country_code}, as geo-whois-asn-country has) with the region
 * the table gives its country, one {@code CIDR REGION} line each. Networks with no country are left
 * out: HAProxy's {@code map_ip(file,DEFAULT)} answers the default for them, as the table does.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.homeport.bench.peers.ExportNetworkMap \
 *     --db .cache/geoip/geo-whois-asn-country.mmdb --table benchmarks/peers/regions.tsv --out regions.map [--skip-default] [--ipv4-only]</pre>
 *
 * {@code --skip-default} leaves out networks whose region is the default (a smaller map, same answers).
 */
public final class ExportNetworkMap {

    private ExportNetworkMap() {}

    public static void main(String[] args) throws Exception {
        Path db = null;
        Path table = null;
        Path out = null;
        boolean skipDefault = false;
        boolean ipv4Only = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--db" -> db = Path.of(args[++i]);
                case "--table" -> table = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--skip-default" -> skipDefault = true;
                case "--ipv4-only" -> ipv4Only = true;
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (db == null || table == null || out == null) {
            usage("--db, --table and --out are required");
        }
        RegionTable regions = RegionTable.read(table);
        Map<String, Integer> linesPerRegion = new TreeMap<>();
        int ipv4 = 0;
        int ipv6 = 0;
        int noCountry = 0;
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (Reader reader = new Reader(new File(db.toString()));
                BufferedWriter writer = Files.newBufferedWriter(tmp)) {
            writer.write("# " + db.getFileName() + " (" + reader.getMetadata().databaseType() + ", built "
                    + reader.getMetadata().buildTime() + ") through " + table.getFileName()
                    + (skipDefault ? ", default-region networks left out" : "") + "\n");
            Networks<Map> networks = reader.networks(false, Map.class);
            while (networks.hasNext()) {
                DatabaseRecord<Map> record = networks.next();
                String country = RegionTable.countryOf(record.data());
                if (country == null) {
                    noCountry++;
                    continue;
                }
                String region = regions.regionOf(country);
                if (skipDefault && region.equals(regions.defaultRegion())) {
                    continue;
                }
                String cidr = cidr(record.network());
                boolean isIpv4 = cidr.indexOf(':') < 0;
                if (ipv4Only && !isIpv4) {
                    continue;
                }
                if (isIpv4) {
                    ipv4++;
                } else {
                    ipv6++;
                }
                writer.write(cidr);
                writer.write(' ');
                writer.write(region);
                writer.write('\n');
                linesPerRegion.merge(region, 1, Integer::sum);
            }
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.err.printf("%s: %d IPv4 + %d IPv6 networks %s (%d networks with no country left out)%n", out, ipv4, ipv6,
                linesPerRegion, noCountry);
    }

    /**
     * The network as CIDR text. IPv4 networks in an IPv6 tree come back as IPv4-compatible
     * addresses (::a.b.c.d/96+n); they are written as a.b.c.d/n.
     */
    static String cidr(Network network) {
        InetAddress address = network.networkAddress();
        int prefix = network.prefixLength();
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return address.getHostAddress() + "/" + prefix;
        }
        boolean firstTwelveZero = true;
        for (int i = 0; i < 12; i++) {
            firstTwelveZero &= bytes[i] == 0;
        }
        if (firstTwelveZero && prefix >= 96) {
            byte[] v4 = Arrays.copyOfRange(bytes, 12, 16);
            return (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "." + (v4[2] & 0xff) + "." + (v4[3] & 0xff) + "/" + (prefix - 96);
        }
        return address.getHostAddress().replaceAll("%.*$", "") + "/" + prefix;
    }

    private static void usage(String problem) {
        System.err.println("ExportNetworkMap: " + problem);
        System.err.println("usage: ExportNetworkMap --db DB.mmdb --table regions.tsv --out regions.map [--skip-default] [--ipv4-only]");
        System.exit(2);
    }
}
