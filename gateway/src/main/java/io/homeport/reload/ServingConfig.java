package io.homeport.reload;

import io.homeport.geoip.CachingGeoLookup;
import io.homeport.geoip.GeoIpDatabase;
import io.homeport.proxy.CompletedExchange;
import io.homeport.routing.RoutingSnapshot;
import java.util.Objects;

/**
 * Everything a request is decided with: the routing snapshot (rules + residency table + cached
 * GeoIP), and the database behind it, for {@code /config}. Swapped whole on reload.
 */
public record ServingConfig(RoutingSnapshot snapshot, GeoIpDatabase database, CachingGeoLookup geo,
        CompletedExchange.Audit audit) {

    public ServingConfig {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(geo, "geo");
        Objects.requireNonNull(audit, "audit");
    }

    /** The audit stamp every request decided with this configuration carries: rules SHA-256, database build. */
    public ServingConfig(RoutingSnapshot snapshot, GeoIpDatabase database, CachingGeoLookup geo) {
        this(snapshot, database, geo, new CompletedExchange.Audit(Sha256.abbreviate(snapshot.rules().source().sha256()),
                database.buildTime().getEpochSecond()));
    }
}
