package io.homeport.config;

import io.homeport.proxy.ProxySettings;
import io.homeport.reload.ReloadSettings;
import io.homeport.upstream.HealthSettings;
import io.homeport.upstream.UpstreamTimeouts;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The deployment file, gateway.yaml: read once at start, changed by platform engineers. Paths are
 * already resolved against the file's own directory.
 */
public record GatewayConfig(
        Path source,
        List<Listener> listeners,
        Admin admin,
        Path rules,
        GeoIp geoip,
        ClientIp clientIp,
        ProxySettings proxy,
        UpstreamTimeouts upstream,
        HealthSettings health,
        ReloadSettings reload,
        Audit audit) {

    public GatewayConfig {
        listeners = List.copyOf(listeners);
    }

    /**
     * {@code audit:}: the key file of the user-id hash in access logs ({@code user_hash_key_file});
     * {@code homeport run} refuses to start without one.
     */
    public record Audit(Optional<Path> userHashKeyFile) {
        public static final Audit NONE = new Audit(Optional.empty());
    }

    /**
     * A proxy listener.
     *
     * @param trustedProxies the peers whose X-Forwarded-For and Forwarded this listener believes
     *     ({@code listen[].client_ip.trusted_proxies}); empty: the global {@code client_ip}'s
     * @param proxyProtocolTrusted with {@code proxyProtocol}, the peers a PROXY header is taken from
     *     ({@code listen[].proxy_protocol: {trusted: [...]}}); any other peer's connection is closed.
     *     Empty: from any peer ({@code proxy_protocol: true}), for a listener only the balancer reaches
     */
    public record Listener(HostAndPort address, Optional<Tls> tls, boolean proxyProtocol, Optional<List<Cidr>> trustedProxies,
            List<Cidr> proxyProtocolTrusted) {

        public Listener {
            trustedProxies = trustedProxies.map(List::copyOf);
            proxyProtocolTrusted = List.copyOf(proxyProtocolTrusted);
        }

        public Listener(HostAndPort address, Optional<Tls> tls, boolean proxyProtocol) {
            this(address, tls, proxyProtocol, Optional.empty(), List.of());
        }
    }

    /** TLS termination with one or more certificates, chosen by SNI. */
    public record Tls(List<Certificate> certificates) {
        public Tls {
            certificates = List.copyOf(certificates);
        }
    }

    /** A PEM certificate chain and its private key. */
    public record Certificate(Path cert, Path key) {}

    /**
     * The admin listener.
     *
     * @param token the bearer token admin requests must carry; required when {@code listen} is not loopback
     */
    public record Admin(HostAndPort listen, Optional<String> token) {}

    /** The GeoIP database and the cache in front of it. */
    public record GeoIp(Path database, long cacheMaxEntries) {}

    /** Which peers may tell us the client's address through X-Forwarded-For or Forwarded. */
    public record ClientIp(List<Cidr> trustedProxies) {
        public ClientIp {
            trustedProxies = List.copyOf(trustedProxies);
        }
    }
}
