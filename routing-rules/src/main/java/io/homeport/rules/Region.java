package io.homeport.rules;

import java.util.List;

/**
 * A region that holds user data, its backends, and the only other regions its requests may be
 * sent to when it has no healthy backend ({@code failOverTo}, in order; empty: never leaves).
 */
public record Region(String name, List<Endpoint> endpoints, List<String> failOverTo) {

    public Region {
        endpoints = List.copyOf(endpoints);
        failOverTo = List.copyOf(failOverTo);
    }
}
