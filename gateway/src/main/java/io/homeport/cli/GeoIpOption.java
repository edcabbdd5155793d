package io.homeport.cli;

import io.homeport.demo.DemoGeoIp;
import io.homeport.geoip.GeoIpDatabase;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import java.nio.file.Path;

/** Opens the database a command was given, or the bundled demo database when it was given none. */
final class GeoIpOption {

    private GeoIpOption() {}

    static GeoIpDatabase open(Path databaseOrNull) throws InvalidGeoIpDatabaseException {
        return GeoIpDatabase.open(databaseOrNull != null ? databaseOrNull : DemoGeoIp.file());
    }
}
