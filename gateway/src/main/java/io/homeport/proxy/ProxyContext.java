package io.homeport.proxy;

import io.homeport.metrics.GatewayMetrics;
import io.homeport.reload.SnapshotHolder;
import io.homeport.upstream.EndpointSelector;
import io.homeport.upstream.UpstreamConnections;
import java.util.Objects;

/** What every proxy connection shares: configuration, upstream pools, metrics and logs. */
public record ProxyContext(
        SnapshotHolder config,
        ClientAddressResolver clientAddresses,
        EndpointSelector endpoints,
        UpstreamConnections upstreams,
        GatewayMetrics metrics,
        ExchangeListener listener) {

    public ProxyContext {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clientAddresses, "clientAddresses");
        Objects.requireNonNull(endpoints, "endpoints");
        Objects.requireNonNull(upstreams, "upstreams");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(listener, "listener");
    }
}
