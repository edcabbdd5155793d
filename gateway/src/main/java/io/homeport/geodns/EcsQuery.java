package io.homeport.geodns;

import io.homeport.netty.Transports;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.dns.DefaultDnsOptEcsRecord;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks a name server for a name's A or AAAA records as a recursive resolver would on a phone's
 * behalf: with an EDNS Client Subnet naming the phone's network (RFC 7871; Netty's encoder sends
 * only the prefix's bytes, masked), or without one, when the server sees only the resolver. Netty's resolver sends it, on the caller's event loop group.
 */
public final class EcsQuery implements AutoCloseable {

    private final DnsNameResolver resolver;
    private final InetSocketAddress server;

    public EcsQuery(Transports transports, EventLoopGroup group, InetSocketAddress server) {
        this.server = server;
        EventLoop loop = group.next();
        this.resolver = new DnsNameResolverBuilder(loop)
                .datagramChannelType(transports.datagramChannel())
                .nameServerProvider(new SingletonDnsServerAddressStreamProvider(server))
                // The ECS record below is the query's one OPT record; Netty would add a second one.
                .optResourceEnabled(false)
                .recursionDesired(false)
                .queryTimeoutMillis(2_000)
                .maxQueriesPerResolve(1)
                .build();
    }

    /**
     * The addresses {@code name} resolves to for a phone in {@code subnet}/{@code prefixLength}
     * (null subnet: no ECS). Waits up to {@code timeoutMillis}.
     */
    public List<InetAddress> resolve(String name, InetAddress subnet, int prefixLength, boolean ipv6, long timeoutMillis)
            throws UnknownHostException, InterruptedException, TimeoutException {
        List<DnsRecord> additionals = new ArrayList<>();
        if (subnet != null) {
            additionals.add(new DefaultDnsOptEcsRecord(1232, prefixLength, subnet.getAddress()));
        }
        DnsRecordType type = ipv6 ? DnsRecordType.AAAA : DnsRecordType.A;
        AddressedEnvelope<DnsResponse, InetSocketAddress> envelope;
        try {
            envelope = resolver.query(server, new DefaultDnsQuestion(name, type), additionals)
                    .get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            UnknownHostException failure = new UnknownHostException(name + ": " + e.getCause().getMessage());
            failure.initCause(e.getCause());
            throw failure;
        }
        try {
            DnsResponse response = envelope.content();
            List<InetAddress> addresses = new ArrayList<>();
            for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
                DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
                if (record.type() == type && record instanceof DnsRawRecord raw) {
                    byte[] bytes = new byte[raw.content().readableBytes()];
                    raw.content().getBytes(raw.content().readerIndex(), bytes);
                    addresses.add(InetAddress.getByAddress(name, bytes));
                }
            }
            return addresses;
        } finally {
            envelope.release();
        }
    }

    /** The usual prefix a resolver sends: /24 for IPv4, /56 for IPv6. */
    public static int defaultPrefix(InetAddress address) {
        return address instanceof Inet4Address ? 24 : 56;
    }

    @Override
    public void close() {
        resolver.close();
    }
}
