package io.homeport.bench.peers;

import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.Network;
import com.maxmind.db.Networks;
import com.maxmind.db.Reader;
import io.homeport.routing.IpAddresses;
import java.io.File;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Draws the fixed client mix the peer benchmark replays: random public IPv4 addresses, looked up
 * in the world database, kept until every country of the table has its share, the rest of the
 * world its share and a few addresses with no country theirs; written shuffled, one
 * {@code ADDRESS<TAB>COUNTRY<TAB>REGION} line each ({@code --} for no country), REGION being what the
 * table says the gateway must answer. Seeded: the same database and table give the same file.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.homeport.bench.peers.GenerateClients \
 *     --db .cache/geoip/geo-whois-asn-country.mmdb --table benchmarks/peers/regions.tsv \
 *     --out benchmarks/peers/clients.tsv [--count 2000] [--seed 20260617] [--ipv6-share 0.35]</pre>
 *
 * With {@code --verify FILE} instead of {@code --out}, it checks that an existing file still agrees
 * with the database and the table (exit 1 and the first disagreements otherwise).
 *
 * The mix: a quarter of the addresses from the table's countries mapped to the first region, a
 * third split evenly over the other listed countries, 1% with no country (default region), and the
 * rest from every other country the random draw hits (uniform over address space, so many countries).
 *
 * With {@code --ipv6-share S}, that share of the clients are IPv6 addresses, in the same proportions:
 * drawn from the database's own IPv6 networks (a random network of the country, a random address in
 * it; uniform draws over IPv6 space would almost never hit an allocated block), and 1% from
 * {@code 2000::/3} outside every network (no country).
 */
public final class GenerateClients {

    private GenerateClients() {}

    public static void main(String[] args) throws Exception {
        Path db = null;
        Path table = null;
        Path out = null;
        int count = 2000;
        long seed = 20260617L;
        Path verify = null;
        double ipv6Share = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--verify" -> verify = Path.of(args[++i]);
                case "--db" -> db = Path.of(args[++i]);
                case "--table" -> table = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--ipv6-share" -> ipv6Share = Double.parseDouble(args[++i]);
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (verify != null && db != null && table != null) {
            System.exit(verify(verify, db, RegionTable.read(table)));
        }
        if (db == null || table == null || out == null || count < 100 || count > 1_000_000 || ipv6Share < 0 || ipv6Share > 1) {
            usage("--db, --table and --out are required; --count between 100 and 1000000; --ipv6-share between 0 and 1");
        }
        RegionTable regions = RegionTable.read(table);
        int total = count;
        int ipv6Count = (int) Math.round(count * ipv6Share);
        List<String[]> ipv6Rows = ipv6Count == 0 ? List.of() : ipv6Clients(db, regions, ipv6Count, seed);
        count -= ipv6Count;

        // Quotas: listed countries get fixed shares so every region is exercised; the rest of the
        // world and unknown addresses fill the remainder.
        Map<String, Integer> quota = new LinkedHashMap<>();
        List<String> listed = new ArrayList<>(regions.countries().keySet());
        String firstRegion = regions.regions().get(0);
        List<String> firstRegionCountries = listed.stream().filter(c -> regions.regionOf(c).equals(firstRegion)).toList();
        List<String> otherListed = listed.stream().filter(c -> !regions.regionOf(c).equals(firstRegion)).toList();
        for (String c : firstRegionCountries) {
            quota.put(c, count / 4 / firstRegionCountries.size());
        }
        for (String c : otherListed) {
            quota.put(c, count / 3 / Math.max(1, otherListed.size()));
        }
        int unknownQuota = count / 100;
        int listedTotal = quota.values().stream().mapToInt(Integer::intValue).sum();
        int worldQuota = count - listedTotal - unknownQuota;

        Map<String, List<String>> byCountry = new TreeMap<>();
        List<String[]> world = new ArrayList<>();
        List<String[]> unknown = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(seed);
        long draws = 0;
        long maxDraws = 200_000_000L;
        try (Reader reader = new Reader(new File(db.toString()))) {
            while (draws < maxDraws) {
                draws++;
                int bits = random.nextInt();
                if (!isPublicIpv4(bits)) {
                    continue;
                }
                InetAddress address = InetAddress.getByAddress(new byte[] {
                    (byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
                String text = address.getHostAddress();
                String country = RegionTable.countryOf(reader.get(address, Map.class));
                if (country == null) {
                    if (unknown.size() < unknownQuota) {
                        unknown.add(new String[] {text, "--", regions.defaultRegion()});
                    }
                } else if (quota.containsKey(country)) {
                    List<String> got = byCountry.computeIfAbsent(country, c -> new ArrayList<>());
                    if (got.size() < quota.get(country)) {
                        got.add(text);
                    }
                } else if (world.size() < worldQuota) {
                    world.add(new String[] {text, country, regions.regionOf(country)});
                }
                if (draws % 1024 != 0) {
                    continue;
                }
                boolean listedDone = quota.entrySet().stream()
                        .allMatch(e -> byCountry.getOrDefault(e.getKey(), List.of()).size() >= e.getValue());
                if (listedDone && world.size() >= worldQuota && (unknown.size() >= unknownQuota || draws > 5_000_000L)) {
                    break;
                }
            }
        }
        List<String[]> rows = new ArrayList<>();
        byCountry.forEach((country, addresses) -> addresses.forEach(a -> rows.add(new String[] {a, country, regions.regionOf(country)})));
        rows.addAll(world);
        rows.addAll(unknown);
        rows.addAll(ipv6Rows);
        Collections.shuffle(rows, new Random(seed));

        Map<String, Integer> perRegion = new TreeMap<>();
        Map<String, Integer> perCountry = new TreeMap<>();
        StringBuilder text = new StringBuilder();
        text.append("# Client mix for benchmarks/peers (wrk replays it through xff.lua): address, country in ")
                .append(db.getFileName()).append(" (-- for none), the region ").append(table.getFileName())
                .append(" gives it.\n# Generated by io.homeport.bench.peers.GenerateClients --count ").append(total)
                .append(" --seed ").append(seed).append(ipv6Share > 0 ? " --ipv6-share " + ipv6Share : "")
                .append("; regenerate it when the table or the database changes.\n");
        for (String[] row : rows) {
            text.append(row[0]).append('\t').append(row[1]).append('\t').append(row[2]).append('\n');
            perRegion.merge(row[2], 1, Integer::sum);
            perCountry.merge(row[1], 1, Integer::sum);
        }
        Files.writeString(out, text);
        System.err.printf("%s: %d clients (%d IPv6) from %d countries (+%d with no country), per region %s; %d draws%n", out,
                rows.size(), ipv6Rows.size(), perCountry.size() - (perCountry.containsKey("--") ? 1 : 0),
                perCountry.getOrDefault("--", 0), perRegion, draws);
    }

    /**
     * {@code count} IPv6 clients in the IPv4 draw's proportions: the table's countries their shares,
     * 1% with no country, the rest from other countries' networks.
     */
    static List<String[]> ipv6Clients(Path db, RegionTable regions, int count, long seed) throws Exception {
        Map<String, List<Network>> byCountry = new TreeMap<>();
        List<Network> other = new ArrayList<>();
        try (Reader reader = new Reader(new File(db.toString()))) {
            Networks<Map> networks = reader.networksWithin(new Network(InetAddress.getByName("2000::"), 3), false, Map.class);
            while (networks.hasNext()) {
                DatabaseRecord<Map> record = networks.next();
                String country = RegionTable.countryOf(record.data());
                Network network = record.network();
                byte[] prefix = network.networkAddress().getAddress();
                if (country == null || prefix.length != 16 || (prefix[0] == 0x20 && prefix[1] == 0x02)
                        || (prefix[0] == 0x20 && prefix[1] == 0x01 && prefix[2] == 0x0d && (prefix[3] & 0xff) == 0xb8)) {
                    continue; // no country, an IPv4 alias (6to4), or documentation space
                }
                byCountry.computeIfAbsent(country, c -> new ArrayList<>()).add(network);
                if (!regions.countries().containsKey(country)) {
                    other.add(network);
                }
            }
            List<String> listed = regions.countries().keySet().stream().filter(byCountry::containsKey).toList();
            String firstRegion = regions.regions().get(0);
            List<String> first = listed.stream().filter(c -> regions.regionOf(c).equals(firstRegion)).toList();
            List<String> rest = listed.stream().filter(c -> !regions.regionOf(c).equals(firstRegion)).toList();
            SplittableRandom random = new SplittableRandom(seed ^ 0x6a09e667f3bcc909L);
            List<String[]> rows = new ArrayList<>();
            for (String country : listed) {
                int quota = first.contains(country) ? count / 4 / first.size() : count / 3 / Math.max(1, rest.size());
                for (int i = 0; i < quota; i++) {
                    rows.add(row(reader, regions, pick(byCountry.get(country), random), random));
                }
            }
            int unknown = Math.max(1, count / 100);
            while (rows.size() < count - unknown) {
                rows.add(row(reader, regions, pick(other, random), random));
            }
            for (int draws = 0; rows.size() < count && draws < 10_000_000; draws++) {
                InetAddress address = addressIn(new Network(InetAddress.getByName("2000::"), 3), random);
                if (reader.get(address, Map.class) == null) {
                    rows.add(new String[] {IpAddresses.toText(address), "--", regions.defaultRegion()});
                }
            }
            return rows;
        }
    }

    private static Network pick(List<Network> networks, SplittableRandom random) {
        return networks.get(random.nextInt(networks.size()));
    }

    /** A random address of {@code network}, looked up again: the row says what the database says of it. */
    private static String[] row(Reader reader, RegionTable regions, Network network, SplittableRandom random) throws Exception {
        InetAddress address = addressIn(network, random);
        String country = RegionTable.countryOf(reader.get(address, Map.class));
        return new String[] {IpAddresses.toText(address), country == null ? "--" : country, regions.regionOf(country)};
    }

    private static InetAddress addressIn(Network network, SplittableRandom random) throws Exception {
        byte[] bytes = network.networkAddress().getAddress();
        for (int bit = network.prefixLength(); bit < bytes.length * 8; bit++) {
            if (random.nextBoolean()) {
                bytes[bit / 8] |= (byte) (0x80 >>> (bit % 8));
            }
        }
        return InetAddress.getByAddress(bytes);
    }

    /**
     * Checks an existing client file against the database and the table: every address must still
     * have the country and region the file says. Returns the exit code (0 when all agree).
     */
    static int verify(Path clients, Path db, RegionTable regions) throws Exception {
        int rows = 0;
        int wrong = 0;
        try (Reader reader = new Reader(new File(db.toString()))) {
            for (String line : Files.readAllLines(clients)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                if (f.length != 3) {
                    System.err.println(clients + ": malformed line \"" + line + "\"");
                    return 1;
                }
                rows++;
                String country = RegionTable.countryOf(reader.get(InetAddress.getByName(f[0]), Map.class));
                String expectedCountry = country == null ? "--" : country;
                String region = regions.regionOf(country);
                if (!expectedCountry.equals(f[1]) || !region.equals(f[2])) {
                    if (wrong++ < 5) {
                        System.err.printf("%s: %s is %s -> %s in %s, the file says %s -> %s%n", clients, f[0], expectedCountry,
                                region, db.getFileName(), f[1], f[2]);
                    }
                }
            }
        }
        if (rows == 0 || wrong > 0) {
            System.err.printf("%s: %d of %d clients disagree with %s and the table (regenerate the file)%n", clients, wrong, rows, db);
            return 1;
        }
        System.err.printf("%s: %d clients agree with %s and the table%n", clients, rows, db.getFileName());
        return 0;
    }

    /** Public unicast IPv4: not this-network, private, loopback, link-local, CGNAT, documentation, benchmarking, multicast or reserved. */
    static boolean isPublicIpv4(int address) {
        int a = address >>> 24;
        int b = (address >>> 16) & 0xff;
        int c = (address >>> 8) & 0xff;
        return !(a == 0 || a == 10 || a == 127
                || (a == 169 && b == 254)
                || (a == 172 && (b & 0xf0) == 16)
                || (a == 192 && b == 168)
                || (a == 100 && (b & 0xc0) == 64)
                || (a == 192 && b == 0 && (c == 0 || c == 2))
                || (a == 198 && (b == 18 || b == 19))
                || (a == 198 && b == 51 && c == 100)
                || (a == 203 && b == 0 && c == 113)
                || a >= 224);
    }

    private static void usage(String problem) {
        System.err.println("GenerateClients: " + problem);
        System.err.println("usage: GenerateClients --db DB.mmdb --table regions.tsv (--out clients.tsv [--count N] [--seed S] | --verify clients.tsv)");
        System.exit(2);
    }
}
