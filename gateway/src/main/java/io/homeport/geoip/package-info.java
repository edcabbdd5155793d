/**
 * GeoIP: MaxMind databases behind the decision's {@link io.homeport.routing.GeoLookup} port, with
 * a cache of recent answers in front ({@link io.homeport.geoip.CachingGeoLookup}). Kept out of the pure routing module on purpose.
 */
package io.homeport.geoip;
