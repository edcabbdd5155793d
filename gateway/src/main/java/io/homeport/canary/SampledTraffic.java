package io.homeport.canary;

import java.net.InetAddress;

/**
 * One entry of a traffic sample: requests from one client network by one user (or by no user id).
 *
 * @param network the client network's first address: a /24 of IPv4, a /48 of IPv6 (as the access
 *     log truncates); decisions take it as the client's address
 * @param prefixLength 24 or 48
 * @param userHash the {@link io.homeport.residency.StableHash} of the user id, or 0 for none; kept
 *     in memory for pins, never exported (a plain hash of a guessable id names the user)
 * @param bucket the requests' migration bucket, as their decision computed it: from the user id, or,
 *     for requests without one, from the first client address of the network the sample kept
 * @param requests how many recent requests the entry stands for
 * @param userLogHash the user id's keyed hash as the access log writes it ({@code user_hash}, the
 *     first 8 bytes of its HMAC-SHA-256), or 0 for none: what the exported sample carries
 */
public record SampledTraffic(InetAddress network, int prefixLength, long userHash, int bucket, long requests,
        long userLogHash) {

    public SampledTraffic(InetAddress network, int prefixLength, long userHash, int bucket, long requests) {
        this(network, prefixLength, userHash, bucket, requests, 0);
    }

    public boolean hasUser() {
        return userHash != 0;
    }
}
