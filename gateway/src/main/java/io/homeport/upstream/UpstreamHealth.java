package io.homeport.upstream;

import io.homeport.rules.Endpoint;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The health of every endpoint the rules have named, shared by the proxy, the checker and /config. */
public final class UpstreamHealth {

    private final HealthSettings settings;
    private final Map<Endpoint, EndpointHealth> endpoints = new ConcurrentHashMap<>();

    public UpstreamHealth(HealthSettings settings) {
        this.settings = settings;
    }

    public HealthSettings settings() {
        return settings;
    }

    public EndpointHealth of(Endpoint endpoint) {
        EndpointHealth health = endpoints.get(endpoint);
        return health != null ? health : endpoints.computeIfAbsent(endpoint, EndpointHealth::new);
    }

    public void requestStarted(Endpoint endpoint) {
        of(endpoint).requestStarted();
    }

    public void requestEnded(Endpoint endpoint) {
        of(endpoint).requestEnded();
    }

    public void recordSuccess(Endpoint endpoint) {
        of(endpoint).recordSuccess();
    }

    public void recordFailure(Endpoint endpoint) {
        of(endpoint).recordFailure(settings, System.nanoTime());
    }

    /** A read-only view, for the checker and the admin API. */
    public Map<Endpoint, EndpointHealth> all() {
        return java.util.Collections.unmodifiableMap(endpoints);
    }
}
