package io.homeport.routing;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What the decision needs to know about a request.
 *
 * @param clientAddress the resolved client address (after trusted proxies and PROXY protocol)
 * @param userId the user id from the identity header, or null
 * @param host the request host without port, or null
 * @param path the request path, or null for {@code /}
 */
public record RoutingRequest(InetAddress clientAddress, String userId, String host, String path) {

    public RoutingRequest {
        Objects.requireNonNull(clientAddress, "clientAddress");
    }
}
