/**
 * The local three-region world ({@code homeport world}): regions beijing, singapore and us with
 * backends that take a fixed server time, an edge Homeport beside each, markets whose phones find
 * their edge through the GeoDNS front, and userspace delay links between them that take their times
 * from a cited round-trip table. It measures what residency routing buys against 2014's one site.
 */
package io.homeport.world;
