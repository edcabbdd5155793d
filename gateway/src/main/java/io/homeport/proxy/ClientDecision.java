package io.homeport.proxy;

import io.homeport.routing.CountryLookup;
import io.homeport.routing.Decision;
import io.homeport.routing.IpAddresses;
import io.homeport.routing.RoutingRequest;
import io.homeport.routing.RoutingSnapshot;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Decides a request: who its client is (the peer, or the right-most untrusted hop of a trusted
 * peer's forwarding headers), what the GeoIP database says of the client, and its home region
 * under a snapshot. {@link Exchange} calls it for every request, whichever framing carried it;
 * {@code HotPathBenchmark} measures it.
 *
 * <p>Plain address literals take allocation-free paths; an X-Forwarded-For value that a trusted
 * peer sent before is answered from the resolver's {@link ForwardedForMemo}, country included;
 * anything else (Forwarded, ports, garbage) takes the general path. Every path gives the same
 * decision ({@code ClientDecisionTest} holds them against each other).
 */
public final class ClientDecision {

    private ClientDecision() {}

    /** One event loop's scratch, and who {@link #decide} found the client to be. */
    public static final class Client {
        final ForwardedForMemo.Probe probe = new ForwardedForMemo.Probe();
        /** The X-Forwarded-For hop the client came from, {@link ClientAddressResolver#PEER}, or {@link ClientAddressResolver#GENERAL}. */
        int hop;
        /** What the general path resolved; meaningful only when {@link #hop} is {@link ClientAddressResolver#GENERAL}. */
        ClientAddressResolver.Resolved general;

        /** The client's address; {@code peer} is the one {@link #decide} was given. */
        public InetAddress address(InetAddress peer) {
            if (hop == ClientAddressResolver.GENERAL) {
                return general.address();
            }
            return hop == ClientAddressResolver.PEER ? peer : IpAddresses.ipv6(probe.bits[0], probe.bits[1]);
        }

        /** Where the client's address came from; {@code peerSource} when it is the peer. */
        public ClientIp source(ClientIp peerSource) {
            if (hop == ClientAddressResolver.GENERAL) {
                return general.source();
            }
            return hop == ClientAddressResolver.PEER ? peerSource : ClientIp.xForwardedFor(hop);
        }
    }

    /**
     * The request's decision under {@code snapshot}; who the client is goes to {@code client}.
     *
     * @param peer whoever sent the request: the socket's peer, or a PROXY header's source
     * @param forwardedFor every X-Forwarded-For field joined, or null
     * @param forwarded every Forwarded field joined, or null
     */
    public static Decision decide(RoutingSnapshot snapshot, ClientAddressResolver resolver, InetAddress peer,
            ClientIp peerSource, String forwardedFor, String forwarded, String userId, String host, String path,
            Client client) {
        long[] bits = client.probe.bits;
        ForwardedForMemo memo = resolver.memo();
        int hop;
        if (forwardedFor != null && forwardedFor.length() >= ForwardedForMemo.MIN_LENGTH && memo != null
                && resolver.isTrusted(peer)) {
            int epoch = memo.epochOf(snapshot.geo());
            int found = memo.find(forwardedFor, epoch, client.probe);
            if (found != ForwardedForMemo.MISS) {
                client.hop = found & 0xff;
                int code = found >>> 8;
                return decide(snapshot, bits, code != 0 ? CountryLookup.ofCode(code) : null, userId, host, path);
            }
            hop = resolver.resolveBits(peer, forwardedFor, forwarded, bits);
            if (hop >= 0) {
                CountryLookup lookup = lookUp(snapshot, bits);
                memo.remember(client.probe, hop, CountryLookup.codeOf(lookup), epoch);
                client.hop = hop;
                return decide(snapshot, bits, lookup, userId, host, path);
            }
        } else if (peer instanceof Inet4Address v4) {
            // The commonest request of all: an IPv4 peer, and at most one plain IPv4 hop.
            long ipv4 = resolver.resolveIpv4(IpAddresses.bitsOf(v4), forwardedFor, forwarded);
            if (ipv4 >= 0) {
                int hopPlusOne = (int) (ipv4 >>> 32);
                client.hop = hopPlusOne == 0 ? ClientAddressResolver.PEER : hopPlusOne - 1;
                bits[0] = 0;
                bits[1] = IpAddresses.ipv4MappedLow((int) ipv4);
                return snapshot.decideIpv4((int) ipv4, userId, host, path);
            }
            hop = resolver.resolveBits(peer, forwardedFor, forwarded, bits);
        } else {
            hop = resolver.resolveBits(peer, forwardedFor, forwarded, bits);
        }
        client.hop = hop;
        if (hop != ClientAddressResolver.GENERAL) {
            return decide(snapshot, bits, null, userId, host, path);
        }
        client.general = resolver.resolve(peer, peerSource, forwardedFor, forwarded);
        return snapshot.decide(new RoutingRequest(client.general.address(), userId, host, path));
    }

    /** The decision for a client given as 128 bits (IPv4 in its mapped form), with its country if known. */
    private static Decision decide(RoutingSnapshot snapshot, long[] bits, CountryLookup lookup, String userId,
            String host, String path) {
        long high = bits[0];
        long low = bits[1];
        if (IpAddresses.isIpv4Mapped(high, low)) {
            int ipv4 = (int) low;
            return snapshot.decideIpv4(ipv4, lookup != null ? lookup : snapshot.lookupIpv4(ipv4), userId, host, path);
        }
        return snapshot.decideIpv6(high, low, lookup != null ? lookup : snapshot.lookupIpv6(high, low), userId, host, path);
    }

    private static CountryLookup lookUp(RoutingSnapshot snapshot, long[] bits) {
        return IpAddresses.isIpv4Mapped(bits[0], bits[1]) ? snapshot.lookupIpv4((int) bits[1])
                : snapshot.lookupIpv6(bits[0], bits[1]);
    }
}
