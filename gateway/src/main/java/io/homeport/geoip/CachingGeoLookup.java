package io.homeport.geoip;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.homeport.routing.CountryLookup;
import io.homeport.routing.GeoLookup;
import java.net.InetAddress;

/**
 * A bounded Caffeine cache in front of a database: a repeated address costs a hash lookup instead
 * of a tree walk and a decode. Failed lookups are not cached, so a transient failure is retried.
 * One cache belongs to one database; a reloaded database gets a fresh cache.
 */
public final class CachingGeoLookup implements GeoLookup {

    public static final long DEFAULT_MAX_ENTRIES = 100_000;

    private final GeoLookup database;
    private final Cache<AddressKey, CountryLookup> cache;

    public CachingGeoLookup(GeoLookup database, long maxEntries) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("max_entries: " + maxEntries + " (expected: >= 0)");
        }
        this.database = database;
        this.cache = Caffeine.newBuilder().maximumSize(maxEntries).recordStats().build();
    }

    @Override
    public CountryLookup lookup(InetAddress address) {
        AddressKey key = AddressKey.of(address);
        CountryLookup cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        CountryLookup fresh = database.lookup(address);
        if (fresh.outcome() != CountryLookup.Outcome.FAILED) {
            cache.put(key, fresh);
        }
        return fresh;
    }

    /** A cached IPv4 address is answered without allocating: the lookup key is this thread's probe. */
    @Override
    public CountryLookup lookupIpv4(int address) {
        CountryLookup cached = cache.getIfPresent(AddressKey.probe().setIpv4(address));
        if (cached != null) {
            return cached;
        }
        CountryLookup fresh = database.lookupIpv4(address);
        if (fresh.outcome() != CountryLookup.Outcome.FAILED) {
            cache.put(AddressKey.ipv4(address), fresh);
        }
        return fresh;
    }

    /** A cached IPv6 address is answered without allocating, as an IPv4 one; the key is the same as {@link #lookup}'s. */
    @Override
    public CountryLookup lookupIpv6(long high, long low) {
        CountryLookup cached = cache.getIfPresent(AddressKey.probe().setIpv6(high, low));
        if (cached != null) {
            return cached;
        }
        CountryLookup fresh = database.lookupIpv6(high, low);
        if (fresh.outcome() != CountryLookup.Outcome.FAILED) {
            cache.put(AddressKey.ipv6(high, low), fresh);
        }
        return fresh;
    }

    /** Past the cache: an IPv4 answer the hot path cached has no network, and a canary's sample must not fill it. */
    @Override
    public CountryLookup lookupUncached(InetAddress address) {
        return database.lookupUncached(address);
    }

    @Override
    public String description() {
        return database.description();
    }

    public GeoLookup database() {
        return database;
    }

    /** The cache, for its statistics (bound to metrics by the gateway). */
    public Cache<?, CountryLookup> cache() {
        return cache;
    }
}
