package io.homeport.loadtest;

import com.maxmind.db.CHMCache;
import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.InvalidNetworkException;
import com.maxmind.db.Network;
import com.maxmind.db.Networks;
import com.maxmind.db.Reader;
import io.homeport.geoip.CountryRecord;
import io.homeport.routing.IpAddresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The IPv4 networks a GeoIP database assigns to one country, read from the database's tree, and a
 * uniformly random address among them (a network is picked with a chance proportional to its size).
 */
final class CountryNetworks {

    private long[] starts = new long[8];
    private long[] cumulativeSizes = new long[8];
    private int count;

    /** The networks of each of {@code countries} that the database at {@code file} has any for. */
    static Map<String, CountryNetworks> ipv4(Path file, Set<String> countries) {
        Map<String, CountryNetworks> byCountry = new HashMap<>();
        try (Reader reader = new Reader(file.toFile(), Reader.FileMode.MEMORY, new CHMCache())) {
            Network everything = new Network(InetAddress.getByAddress(new byte[4]), 0);
            Networks<CountryRecord> networks = reader.networksWithin(everything, false, CountryRecord.class);
            while (networks.hasNext()) {
                DatabaseRecord<CountryRecord> record = networks.next();
                String country = record.data() == null ? null : record.data().isoCode();
                if (country != null && countries.contains(country)
                        && record.network().networkAddress() instanceof Inet4Address start) {
                    byCountry.computeIfAbsent(country, c -> new CountryNetworks())
                            .add(IpAddresses.ipv4Bits(start) & 0xffffffffL, 1L << (32 - record.network().prefixLength()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the networks of " + file, e);
        } catch (InvalidNetworkException e) {
            throw new IllegalStateException("0.0.0.0/0 refused as a network", e); // a valid network: cannot happen
        }
        return byCountry;
    }

    void add(long start, long size) {
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            cumulativeSizes = Arrays.copyOf(cumulativeSizes, count * 2);
        }
        starts[count] = start;
        cumulativeSizes[count] = (count == 0 ? 0 : cumulativeSizes[count - 1]) + size;
        count++;
    }

    long addressCount() {
        return count == 0 ? 0 : cumulativeSizes[count - 1];
    }

    int randomAddress(SplittableRandom random) {
        long pick = random.nextLong(addressCount());
        int index = Arrays.binarySearch(cumulativeSizes, 0, count, pick + 1);
        if (index < 0) {
            index = -index - 1; // the first network whose cumulative size exceeds pick
        }
        long networkStart = index == 0 ? 0 : cumulativeSizes[index - 1];
        return (int) (starts[index] + (pick - networkStart));
    }
}
