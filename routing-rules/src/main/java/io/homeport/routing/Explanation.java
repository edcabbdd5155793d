package io.homeport.routing;

import java.util.List;

/**
 * A decision with its reasoning, for {@code homeport explain} and the admin {@code /explain}.
 *
 * @param geoSource which database answered
 * @param bucket the request's migration bucket (0..9999) when a migration applied to its country, else -1
 * @param candidateRegions the home region, then the regions it may fail over to, in order
 * @param steps one line per step, in decision order
 */
public record Explanation(
        RoutingRequest request,
        Decision decision,
        CountryLookup geo,
        String geoSource,
        int bucket,
        List<String> candidateRegions,
        List<String> steps) {

    public Explanation {
        candidateRegions = List.copyOf(candidateRegions);
        steps = List.copyOf(steps);
    }
}
