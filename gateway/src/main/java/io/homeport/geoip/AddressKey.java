package io.homeport.geoip;

import io.homeport.routing.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A GeoIP cache key: an address as 128 bits, IPv4 in its IPv4-mapped IPv6 form. Stored keys are
 * immutable; each thread also keeps one {@link #probe() probe} it re-aims for lookups, so that a
 * cache hit allocates nothing. A probe is never stored.
 */
final class AddressKey {

    private static final long IPV4_MAPPED_PREFIX = 0x0000_ffff_0000_0000L;
    private static final ThreadLocal<AddressKey> PROBES = ThreadLocal.withInitial(AddressKey::new);

    private long high;
    private long low;

    private AddressKey() {}

    static AddressKey ipv4(int address) {
        AddressKey key = new AddressKey();
        key.setIpv4(address);
        return key;
    }

    static AddressKey of(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return ipv4(IpAddresses.bitsOf(v4));
        }
        byte[] bytes = address.getAddress();
        AddressKey key = new AddressKey();
        for (int i = 0; i < 8; i++) {
            key.high = key.high << 8 | (bytes[i] & 0xff);
            key.low = key.low << 8 | (bytes[i + 8] & 0xff);
        }
        return key;
    }

    /** This thread's reusable lookup key. */
    static AddressKey probe() {
        return PROBES.get();
    }

    static AddressKey ipv6(long high, long low) {
        AddressKey key = new AddressKey();
        return key.setIpv6(high, low);
    }

    AddressKey setIpv6(long high, long low) {
        this.high = high;
        this.low = low;
        return this;
    }

    AddressKey setIpv4(int address) {
        high = 0;
        low = IPV4_MAPPED_PREFIX | (address & 0xffff_ffffL);
        return this;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AddressKey key && key.high == high && key.low == low;
    }

    @Override
    public int hashCode() {
        long mixed = high * 0x9e3779b97f4a7c15L ^ low * 0xc2b2ae3d27d4eb4fL;
        return (int) (mixed ^ mixed >>> 32);
    }
}
