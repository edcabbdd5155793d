package io.homeport.bench;

import io.homeport.geoip.CachingGeoLookup;
import io.homeport.geoip.GeoIpDatabase;
import io.homeport.net.Cidr;
import io.homeport.proxy.ClientAddressResolver;
import io.homeport.routing.CountryLookup;
import io.homeport.routing.IpAddresses;
import io.homeport.routing.RoutingSnapshot;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the benchmarks run on: the production example rules, the real world-wide GeoIP database
 * (fetched by deploy/geoip/fetch-world-db.sh), and client addresses drawn from it with a realistic
 * skew: most traffic from a few large markets.
 */
public final class HotPathFixture {

    /** Share of traffic per market; the rest comes from every other country in the database. */
    static final Map<String, Integer> MARKET_WEIGHTS = Map.of(
            "CN", 30, "IN", 20, "US", 12, "ID", 8, "BR", 6, "SG", 3, "MY", 3, "TH", 3, "VN", 3, "PH", 2);
    static final int OTHER_WEIGHT = 10;

    public final RoutingRules rules;
    public final GeoIpDatabase database;
    public final ClientAddressResolver resolver;
    /** The load balancer in front: a trusted proxy whose X-Forwarded-For the gateway reads. */
    public final int peer;

    public HotPathFixture() throws Exception {
        rules = new RulesLoader().load(find("homeport.rules", "routing-rules/examples/production.yaml"));
        database = GeoIpDatabase.open(find("homeport.worldDb", ".cache/geoip/geo-whois-asn-country.mmdb"));
        resolver = new ClientAddressResolver(List.of(Cidr.parse("10.0.0.0/8").orElseThrow()));
        peer = 0x0a000001; // 10.0.0.1
    }

    public RoutingSnapshot cachedSnapshot(long maxEntries) {
        return new RoutingSnapshot(rules, new CachingGeoLookup(database, maxEntries));
    }

    public RoutingSnapshot uncachedSnapshot() {
        return new RoutingSnapshot(rules, database);
    }

    /** {@code count} public IPv4 client addresses, drawn with the market skew; seeded, so runs compare. */
    public int[] skewedClients(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, List<Integer>> byCountry = new HashMap<>();
        List<Integer> others = new ArrayList<>();
        while (others.size() < count || byCountry.values().stream().anyMatch(l -> l.size() < count / 10)) {
            int address = random.nextInt();
            if (IpAddresses.isNonPublicIpv4(address)) {
                continue;
            }
            CountryLookup lookup = database.lookupIpv4(address);
            if (!lookup.isFound()) {
                continue;
            }
            String country = lookup.country();
            if (MARKET_WEIGHTS.containsKey(country)) {
                byCountry.computeIfAbsent(country, c -> new ArrayList<>()).add(address);
            } else if (others.size() < count) {
                others.add(address);
            }
            if (others.size() >= count && byCountry.size() == MARKET_WEIGHTS.size()
                    && byCountry.values().stream().allMatch(l -> l.size() >= count / 10)) {
                break;
            }
        }
        int totalWeight = MARKET_WEIGHTS.values().stream().mapToInt(Integer::intValue).sum() + OTHER_WEIGHT;
        List<String> markets = new ArrayList<>(MARKET_WEIGHTS.keySet());
        markets.sort(null);
        int[] clients = new int[count];
        for (int i = 0; i < count; i++) {
            int pick = random.nextInt(totalWeight);
            List<Integer> pool = others;
            for (String market : markets) {
                pick -= MARKET_WEIGHTS.get(market);
                if (pick < 0) {
                    pool = byCountry.get(market);
                    break;
                }
            }
            clients[i] = pool.get(random.nextInt(pool.size()));
        }
        return clients;
    }

    /**
     * {@code count} public IPv6 client addresses as text, drawn from the database's own IPv6
     * networks (a random network, a random address in it), with the markets' skew; seeded.
     */
    public String[] skewedIpv6Clients(int count, long seed) throws Exception {
        Map<String, List<com.maxmind.db.Network>> byCountry = new HashMap<>();
        List<com.maxmind.db.Network> others = new ArrayList<>();
        try (com.maxmind.db.Reader reader = new com.maxmind.db.Reader(
                find("homeport.worldDb", ".cache/geoip/geo-whois-asn-country.mmdb").toFile())) {
            com.maxmind.db.Networks<Map> networks = reader.networksWithin(
                    new com.maxmind.db.Network(java.net.InetAddress.getByName("2000::"), 3), false, Map.class);
            while (networks.hasNext()) {
                com.maxmind.db.DatabaseRecord<Map> record = networks.next();
                byte[] prefix = record.network().networkAddress().getAddress();
                if (prefix.length != 16 || (prefix[0] == 0x20 && prefix[1] == 0x02)) {
                    continue; // an IPv4 alias (6to4)
                }
                Object country = record.data() == null ? null : ((Map<?, ?>) record.data().getOrDefault("country", Map.of()))
                        .get("iso_code");
                if (country == null) {
                    country = record.data() == null ? null : record.data().get("country_code");
                }
                if (country instanceof String code && MARKET_WEIGHTS.containsKey(code)) {
                    byCountry.computeIfAbsent(code, c -> new ArrayList<>()).add(record.network());
                } else if (country != null) {
                    others.add(record.network());
                }
            }
        }
        // As for IPv4: a pool of addresses per market (a tenth of the count each) and one for the
        // rest of the world, then drawn from with the markets' skew, so addresses repeat as a busy
        // edge's do.
        SplittableRandom random = new SplittableRandom(seed);
        List<String> markets = new ArrayList<>(MARKET_WEIGHTS.keySet());
        markets.sort(null); // Map.of's order changes from JVM to JVM; the draws must not
        Map<String, List<String>> pools = new HashMap<>();
        for (String market : markets) {
            List<com.maxmind.db.Network> networks = byCountry.getOrDefault(market, others);
            List<String> pool = new ArrayList<>();
            for (int i = 0; i < Math.max(1, count / 10); i++) {
                pool.add(randomAddressIn(networks.get(random.nextInt(networks.size())), random));
            }
            pools.put(market, pool);
        }
        List<String> otherPool = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            otherPool.add(randomAddressIn(others.get(random.nextInt(others.size())), random));
        }
        int totalWeight = MARKET_WEIGHTS.values().stream().mapToInt(Integer::intValue).sum() + OTHER_WEIGHT;
        String[] clients = new String[count];
        for (int i = 0; i < count; i++) {
            int pick = random.nextInt(totalWeight);
            List<String> pool = otherPool;
            for (String market : markets) {
                pick -= MARKET_WEIGHTS.get(market);
                if (pick < 0) {
                    pool = pools.get(market);
                    break;
                }
            }
            // A string of its own, made in order, as each request's header is: drawing the shared pool
            // strings themselves would scatter the reads over the heap, which no request does.
            clients[i] = new String(pool.get(random.nextInt(pool.size())).toCharArray());
        }
        return clients;
    }

    private static String randomAddressIn(com.maxmind.db.Network network, SplittableRandom random) throws Exception {
        byte[] bytes = network.networkAddress().getAddress();
        for (int bit = network.prefixLength(); bit < 128; bit++) {
            if (random.nextBoolean()) {
                bytes[bit / 8] |= (byte) (0x80 >>> (bit % 8));
            }
        }
        return IpAddresses.toText(java.net.InetAddress.getByAddress(bytes));
    }

    /** Uniformly random public IPv4 addresses: every lookup walks the tree somewhere new. */
    public static int[] randomPublic(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] addresses = new int[count];
        for (int i = 0; i < count; ) {
            int address = random.nextInt();
            if (!IpAddresses.isNonPublicIpv4(address)) {
                addresses[i++] = address;
            }
        }
        return addresses;
    }

    public static String dotted(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    /** A system property's path, else {@code relative} from the working directory or its parent. */
    static Path find(String property, String relative) {
        String configured = System.getProperty(property);
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path candidate : new Path[] {Path.of(relative), Path.of("..").resolve(relative)}) {
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(relative + " not found (run from the repository root, or set -D" + property
                + "=...; the world database comes from deploy/geoip/fetch-world-db.sh)");
    }
}
