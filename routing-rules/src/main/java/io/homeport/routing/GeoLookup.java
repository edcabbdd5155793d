package io.homeport.routing;

import java.net.InetAddress;

/**
 * The decision's port to a GeoIP database. Implementations must be thread-safe, must not block
 * for long (they run on event loops) and must not throw: a failed lookup is {@link
 * CountryLookup#FAILED}.
 */
public interface GeoLookup {

    /** Looks up a public address; callers never pass a non-public one. */
    CountryLookup lookup(InetAddress address);

    /**
     * Looks up a public IPv4 address given as its 32 bits. Implementations on the hot path override
     * this to answer a cached address without allocating.
     */
    default CountryLookup lookupIpv4(int address) {
        return lookup(IpAddresses.ipv4(address));
    }

    /**
     * Looks up a public IPv6 address (not IPv4-mapped) given as its 128 bits. Implementations on the
     * hot path override this to answer a cached address without allocating.
     */
    default CountryLookup lookupIpv6(long high, long low) {
        return lookup(IpAddresses.ipv6(high, low));
    }

    /**
     * The database's own answer, the matched network included, past any cache: for explanations
     * (a cache answers with what the hot path stored, which may leave the network out) and for
     * comparing snapshots over a traffic sample (whose addresses must not crowd real traffic out
     * of the cache).
     */
    default CountryLookup lookupUncached(InetAddress address) {
        return lookup(address);
    }

    /** Which database answers, for explanations: kind, build date, file. */
    String description();

    /** A lookup that knows no country at all: every request falls back to the default region. */
    GeoLookup NONE = new GeoLookup() {
        @Override
        public CountryLookup lookup(InetAddress address) {
            return CountryLookup.NOT_FOUND;
        }

        @Override
        public String description() {
            return "no GeoIP database";
        }
    };
}
