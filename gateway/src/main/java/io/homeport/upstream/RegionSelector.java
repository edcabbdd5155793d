package io.homeport.upstream;

import io.homeport.rules.Endpoint;
import io.homeport.rules.Region;
import io.homeport.rules.RoutingRules;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the endpoint a request goes to, and enforces residency while doing so: an available
 * endpoint of the home region, else one of the first region in the home region's
 * {@code fail_over_to} that has one, and nowhere else. Within a region the least-loaded available
 * endpoint wins, ties broken round-robin.
 */
public final class RegionSelector {

    /** Where a request goes; {@code failedOver} when that is not its home region. */
    public record Selection(String region, Endpoint endpoint, boolean failedOver) {}

    private final UpstreamHealth health;
    private final AtomicInteger rotation = new AtomicInteger();

    public RegionSelector(UpstreamHealth health) {
        this.health = health;
    }

    public UpstreamHealth health() {
        return health;
    }

    /**
     * The selection for a request whose home region is {@code home}, avoiding {@code tried}
     * endpoints; null when no region the rules allow has an available endpoint.
     */
    public Selection select(RoutingRules rules, String home, List<Endpoint> tried) {
        long now = System.nanoTime();
        Region homeRegion = rules.region(home);
        Endpoint endpoint = leastLoaded(homeRegion, tried, now);
        if (endpoint != null) {
            return new Selection(home, endpoint, false);
        }
        for (String fallback : homeRegion.failOverTo()) {
            endpoint = leastLoaded(rules.region(fallback), tried, now);
            if (endpoint != null) {
                return new Selection(fallback, endpoint, true);
            }
        }
        return null;
    }

    private Endpoint leastLoaded(Region region, List<Endpoint> tried, long now) {
        List<Endpoint> endpoints = region.endpoints();
        int size = endpoints.size();
        int start = size == 1 ? 0 : Math.floorMod(rotation.getAndIncrement(), size);
        Endpoint best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            Endpoint candidate = endpoints.get((start + i) % size);
            if (tried.contains(candidate)) {
                continue;
            }
            EndpointHealth state = health.of(candidate);
            if (state.isAvailable(now) && state.inFlight() < bestLoad) {
                best = candidate;
                bestLoad = state.inFlight();
            }
        }
        return best;
    }
}
