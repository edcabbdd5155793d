package io.homeport.bench.peers;

import com.maxmind.db.Reader;
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
 *     --out benchmarks/peers/clients.tsv [--count 2000] [--seed 20260617]</pre>
 *
 * With {@code --verify FILE} instead of {@code --out}, it checks that an existing file still agrees
 * with the database and the table (exit 1 and the first disagreements otherwise).
 *
 * The mix: a quarter of the addresses from the table's countries mapped to the first region, a
 * third split evenly over the other listed countries, 1% with no country (default region), and the
 * rest from every other country the random draw hits (uniform over address space, so many countries).
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
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--verify" -> verify = Path.of(args[++i]);
                case "--db" -> db = Path.of(args[++i]);
                case "--table" -> table = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (verify != null && db != null && table != null) {
            System.exit(verify(verify, db, RegionTable.read(table)));
        }
        if (db == null || table == null || out == null || count < 100 || count > 1_000_000) {
            usage("--db, --table and --out are required; --count between 100 and 1000000");
        }
        RegionTable regions = RegionTable.read(table);

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
        Collections.shuffle(rows, new Random(seed));

        Map<String, Integer> perRegion = new TreeMap<>();
        Map<String, Integer> perCountry = new TreeMap<>();
        StringBuilder text = new StringBuilder();
        text.append("# Client mix for benchmarks/peers (wrk replays it through xff.lua): address, country in ")
                .append(db.getFileName()).append(" (-- for none), the region ").append(table.getFileName())
                .append(" gives it.\n# Generated by io.homeport.bench.peers.GenerateClients --count ").append(count)
                .append(" --seed ").append(seed).append("; regenerate it when the table or the database changes.\n");
        for (String[] row : rows) {
            text.append(row[0]).append('\t').append(row[1]).append('\t').append(row[2]).append('\n');
            perRegion.merge(row[2], 1, Integer::sum);
            perCountry.merge(row[1], 1, Integer::sum);
        }
        Files.writeString(out, text);
        System.err.printf("%s: %d clients from %d countries (+%d with no country), per region %s; %d draws%n", out, rows.size(),
                perCountry.size() - (perCountry.containsKey("--") ? 1 : 0), perCountry.getOrDefault("--", 0), perRegion, draws);
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
