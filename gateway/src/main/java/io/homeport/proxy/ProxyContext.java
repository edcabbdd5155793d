package io.homeport.proxy;

import io.homeport.metrics.GatewayMetrics;
import io.homeport.reload.SnapshotHolder;
import io.homeport.routing.Decision;
import io.homeport.rules.Endpoint;
import io.homeport.rules.RoutingRules;
import io.homeport.upstream.RegionSelector;
import io.homeport.upstream.RetryBudget;
import io.homeport.upstream.UpstreamConnections;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import org.slf4j.LoggerFactory;

/** What every proxy connection shares: configuration, upstream pools, metrics and logs. */
public record ProxyContext(
        SnapshotHolder config,
        ClientAddressResolver clientAddresses,
        RegionSelector regions,
        RetryBudget retryBudget,
        UpstreamConnections upstreams,
        GatewayMetrics metrics,
        ExchangeListener listener,
        Drain drain,
        PinPrefetch pins) implements Refusals {

    public ProxyContext {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clientAddresses, "clientAddresses");
        Objects.requireNonNull(regions, "regions");
        Objects.requireNonNull(retryBudget, "retryBudget");
        Objects.requireNonNull(upstreams, "upstreams");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(drain, "drain");
        Objects.requireNonNull(pins, "pins");
    }

    /** Without a pin store. */
    public ProxyContext(SnapshotHolder config, ClientAddressResolver clientAddresses, RegionSelector regions, RetryBudget retryBudget,
            UpstreamConnections upstreams, GatewayMetrics metrics, ExchangeListener listener, Drain drain) {
        this(config, clientAddresses, regions, retryBudget, upstreams, metrics, listener, drain, PinPrefetch.NONE);
    }

    /** This context with another client address resolver: a listener's own trusted proxies. */
    public ProxyContext withClientAddresses(ClientAddressResolver resolver) {
        return new ProxyContext(config, resolver, regions, retryBudget, upstreams, metrics, listener, drain, pins);
    }

    /**
     * Where a request whose home region is {@code home} goes: the residency-safe choice of
     * {@link RegionSelector} (the home region, or one its rules let it fail over to, never any
     * other), with the fail-over or the refusal counted. Null when no allowed region is available.
     */
    public RegionSelector.Selection select(RoutingRules rules, String home, List<Endpoint> tried) {
        RegionSelector.Selection selection = regions.select(rules, home, tried);
        if (selection == null) {
            metrics.residencyDenied(home); // whatever else is up, the rules allow nothing else
        } else if (selection.failedOver()) {
            metrics.failover(home, selection.region());
        }
        return selection;
    }

    /**
     * Checks, where the response is sent, that {@code servingRegion} may serve {@code decision}'s
     * request ({@link ResidencyCheck}); a violation is counted and logged. It must never happen.
     */
    public void checkResidency(RoutingRules rules, Decision decision, String servingRegion, String requestId) {
        if (!ResidencyCheck.allowed(rules, decision, servingRegion)) {
            metrics.residencyViolation(decision.region());
            LoggerFactory.getLogger(ProxyContext.class).error(
                    "RESIDENCY VIOLATION: request {} with home region {} was served from {}", requestId,
                    decision.region(), servingRegion);
        }
    }

    /**
     * A refusal: counted, and an access-log line with a new request id, the client's network (the
     * connection's peer: a refused head's forwarding headers are not trusted) and what was readable
     * of the request.
     */
    @Override
    public String record(Channel channel, Refusal reason, int status, String error, String method, String target) {
        String requestId = ForwardedHeaders.requestId((String) null);
        metrics.requestRefused(reason.label());
        if (reason == Refusal.UNDERSCORE_HEADER) {
            metrics.headersWithUnderscores("rejected", 1);
        }
        InetAddress peer = ClientConnection.peerOrNull(channel);
        listener.refused(new CompletedExchange(requestId, System.currentTimeMillis(), 0, peer, method, null,
                target == null ? null : ProxyHandler.pathOf(target), null, status, null, null, reason.label(), null, null,
                error, config.current().audit(), ClientConnection.peerSource(channel)));
        LoggerFactory.getLogger(ProxyContext.class).debug("refused a request from {}: {} {} ({})", peer, status, error,
                requestId);
        return requestId;
    }

    /** Why a request whose decision is refused (its GeoIP lookup failed) got 503. */
    public static final String PIN_UNAVAILABLE_REFUSAL =
            "the user's pin could not be read (Redis unavailable) and the request's country or route is strict";

    public static final String LOOKUP_ERROR_REFUSAL =
            "the client's country could not be looked up (GeoIP lookup error) and residency.on_lookup_error is reject";

    /** Why a request got 503 from {@link #select}, for the access log. */
    public static String noRegionError(RoutingRules rules, String home, List<Endpoint> tried) {
        return "no available region may serve this request: home region " + home + ", allowed fail-over "
                + rules.region(home).failOverTo()
                + (tried.isEmpty() ? "" : "; endpoints tried and unreachable: " + tried.size());
    }
}
