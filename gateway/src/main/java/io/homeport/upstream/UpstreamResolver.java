package io.homeport.upstream;

import io.homeport.net.HostAndPort;
import io.homeport.netty.Transports;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.RoundRobinDnsAddressResolverGroup;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * How endpoints named by DNS ({@code http://api.beijing.svc.cluster.local:8080}) become addresses:
 * Netty's asynchronous resolver on the connecting event loop — never the JDK's blocking lookup —
 * with answers cached for their TTL and asked again as they expire, {@code /etc/hosts} first, and
 * every address of a name used in turn (round robin). Name servers: the system's
 * ({@code /etc/resolv.conf}, its search domains and {@code ndots} too), or {@code resolver.nameservers}.
 * An address literal is used as it is.
 */
public final class UpstreamResolver {

    private UpstreamResolver() {}

    public static AddressResolverGroup<InetSocketAddress> create(Transports transports, List<HostAndPort> nameservers) {
        DnsServerAddressStreamProvider servers = nameservers.isEmpty()
                ? DnsServerAddressStreamProviders.platformDefault()
                : new SequentialDnsServerAddressStreamProvider(nameservers.stream()
                        .map(server -> new InetSocketAddress(server.host(), server.port())).toArray(InetSocketAddress[]::new));
        return new RoundRobinDnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(transports.datagramChannel())
                .nameServerProvider(servers));
    }
}
