package io.homeport.proxy;

import io.homeport.metrics.GatewayMetrics;
import io.homeport.reload.SnapshotHolder;
import io.homeport.upstream.RegionSelector;
import io.homeport.upstream.RetryBudget;
import io.homeport.upstream.UpstreamConnections;
import java.util.Objects;

/** What every proxy connection shares: configuration, upstream pools, metrics and logs. */
public record ProxyContext(
        SnapshotHolder config,
        ClientAddressResolver clientAddresses,
        RegionSelector regions,
        RetryBudget retryBudget,
        UpstreamConnections upstreams,
        GatewayMetrics metrics,
        ExchangeListener listener) {

    public ProxyContext {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clientAddresses, "clientAddresses");
        Objects.requireNonNull(regions, "regions");
        Objects.requireNonNull(retryBudget, "retryBudget");
        Objects.requireNonNull(upstreams, "upstreams");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(listener, "listener");
    }
}
