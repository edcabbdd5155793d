package io.homeport.loadtest;

import io.homeport.geoip.GeoIpDatabase;
import io.homeport.routing.CountryLookup;
import io.homeport.routing.IpAddresses;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Real client addresses per country: random public IPv4 addresses, kept when the GeoIP database
 * puts them in a wanted country. Each country's addresses are therefore uniform over that
 * country's address space, as the database sees it.
 *
 * <p>Random probing finds a large market in a few thousand lookups, but a country that owns a
 * sliver of the space (or a sparse database such as the bundled demo one, which knows a few
 * networks per market) would take billions. Countries still short when the probing budget runs out
 * are filled from the database's own list of that country's networks, weighted by size: the same
 * distribution, reached directly. Every address is checked with {@link GeoIpDatabase#lookupIpv4}
 * either way.
 */
public final class CountryAddressSampler {

    /** How long random probing may go on before the short countries are filled from the network list. */
    public record ProbeBudget(long maxProbes, Duration maxTime) {
        public static final ProbeBudget DEFAULT = new ProbeBudget(4_000_000, Duration.ofSeconds(4));
    }

    /**
     * The addresses found, per country in the order asked, and how: {@code probes} random lookups,
     * and the countries that needed the database's network list.
     */
    public record AddressPools(Map<String, int[]> byCountry, long probes, Set<String> filledFromNetworks) {}

    private final GeoIpDatabase database;
    private final ProbeBudget budget;

    public CountryAddressSampler(GeoIpDatabase database, ProbeBudget budget) {
        this.database = database;
        this.budget = budget;
    }

    /** {@code perCountry} addresses for each of {@code countries}; seeded, so runs compare. */
    public AddressPools sample(List<String> countries, int perCountry, long seed) {
        if (perCountry < 1) {
            throw new IllegalArgumentException("perCountry: " + perCountry + " (expected: > 0)");
        }
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, int[]> pools = new LinkedHashMap<>();
        Map<String, Integer> filled = new LinkedHashMap<>();
        for (String country : countries) {
            pools.put(country, new int[perCountry]);
            filled.put(country, 0);
        }
        long probes = probe(random, pools, filled, perCountry);

        Set<String> short_ = new LinkedHashSet<>();
        filled.forEach((country, count) -> {
            if (count < perCountry) {
                short_.add(country);
            }
        });
        if (!short_.isEmpty()) {
            Map<String, CountryNetworks> networks = CountryNetworks.ipv4(database.file(), short_);
            for (String country : short_) {
                int count = fillFromNetworks(random, networks.get(country), country, pools.get(country), filled.get(country));
                if (count == 0) {
                    throw new IllegalArgumentException("the GeoIP database " + database.file() + " has no public IPv4 address in "
                            + country + " (expected: a database that knows every market of the mix)");
                }
                if (count < perCountry) {
                    pools.put(country, Arrays.copyOf(pools.get(country), count));
                }
            }
        }
        return new AddressPools(pools, probes, short_);
    }

    private long probe(SplittableRandom random, Map<String, int[]> pools, Map<String, Integer> filled, int perCountry) {
        long deadline = System.nanoTime() + budget.maxTime().toNanos();
        int missing = pools.size();
        long probes = 0;
        while (missing > 0 && probes < budget.maxProbes()) {
            if ((probes & 0xffff) == 0 && probes > 0 && (System.nanoTime() > deadline || hopeless(filled, probes, perCountry))) {
                break;
            }
            probes++;
            int address = random.nextInt();
            if (IpAddresses.isNonPublicIpv4(address)) {
                continue;
            }
            CountryLookup lookup = database.lookupIpv4(address);
            int[] pool = lookup.isFound() ? pools.get(lookup.country()) : null;
            if (pool == null) {
                continue;
            }
            int count = filled.get(lookup.country());
            if (count < perCountry) {
                pool[count] = address;
                filled.put(lookup.country(), count + 1);
                if (count + 1 == perCountry) {
                    missing--;
                }
            }
        }
        return probes;
    }

    /**
     * Whether some country, at the rate it has been found so far, would still be short when the
     * budget runs out: it needs the network list anyway, and that fills every short country at once.
     */
    private boolean hopeless(Map<String, Integer> filled, long probes, int perCountry) {
        for (int count : filled.values()) {
            if (count < perCountry && (double) count * budget.maxProbes() / probes < perCountry) {
                return true;
            }
        }
        return false;
    }

    /** Fills {@code pool} from index {@code count}; returns how many addresses it holds now. */
    private int fillFromNetworks(SplittableRandom random, CountryNetworks networks, String country, int[] pool, int count) {
        if (networks == null) {
            return count;
        }
        // Bounded: a country whose networks are all private or re-assigned inside ends, short.
        long attempts = 100L * pool.length;
        while (count < pool.length && attempts-- > 0) {
            int address = networks.randomAddress(random);
            if (IpAddresses.isNonPublicIpv4(address)) {
                continue;
            }
            CountryLookup lookup = database.lookupIpv4(address);
            if (lookup.isFound() && lookup.country().equals(country)) {
                pool[count++] = address;
            }
        }
        return count;
    }
}
