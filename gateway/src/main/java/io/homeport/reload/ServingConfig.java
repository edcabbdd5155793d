package io.homeport.reload;

import io.homeport.geoip.CachingGeoLookup;
import io.homeport.geoip.GeoIpDatabase;
import io.homeport.routing.RoutingSnapshot;
import java.util.Objects;

/**
 * Everything a request is decided with: the routing snapshot (rules + residency table + cached
 * GeoIP), and the database behind it, for {@code /config}. Swapped whole on reload.
 */
public record ServingConfig(RoutingSnapshot snapshot, GeoIpDatabase database, CachingGeoLookup geo) {

    public ServingConfig {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(geo, "geo");
    }
}
