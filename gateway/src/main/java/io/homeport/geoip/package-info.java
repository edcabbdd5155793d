/**
 * GeoIP: MaxMind databases behind the decision's {@link io.homeport.routing.GeoLookup} port, with
 * a Caffeine cache in front. Kept out of the pure routing module on purpose.
 */
package io.homeport.geoip;
