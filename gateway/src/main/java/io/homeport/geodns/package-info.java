/**
 * The GeoDNS front: phones find their nearest edge by DNS. One table of edges ({@link
 * io.homeport.geodns.EdgeTable}) generates the PowerDNS GeoIP backend's zone, so the edges are
 * written once; {@link io.homeport.geodns.EcsQuery} asks a name server as a resolver would, with
 * an EDNS Client Subnet. DNS only steers phones to an edge; residency is the edge's decision.
 */
package io.homeport.geodns;
