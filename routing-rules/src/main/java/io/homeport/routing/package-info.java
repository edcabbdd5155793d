/**
 * The routing decision: a pure, thread-safe function from a request to its home region over an
 * immutable {@link io.homeport.routing.RoutingSnapshot}. No I/O, no Netty, no threads.
 */
package io.homeport.routing;
