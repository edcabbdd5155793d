package io.homeport.upstream;

import io.homeport.rules.Endpoint;
import io.homeport.rules.Region;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Round-robin over a region's endpoints. */
public final class EndpointSelector {

    private final AtomicInteger next = new AtomicInteger();

    public Endpoint next(Region region) {
        List<Endpoint> endpoints = region.endpoints();
        if (endpoints.size() == 1) {
            return endpoints.get(0);
        }
        return endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size()));
    }
}
