package io.homeport.cli;

import io.homeport.demo.DemoGeoIp;
import io.homeport.geoip.GeoIpDatabase;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the database a command was given, or the bundled demo database when it was given none. */
final class GeoIpOption {

    private GeoIpOption() {}

    /** The world database's file name, as deploy/geoip/fetch-world-db.sh writes it. */
    static final String WORLD_DATABASE = "geo-whois-asn-country.mmdb";

    static GeoIpDatabase open(Path databaseOrNull) throws InvalidGeoIpDatabaseException {
        Path file = databaseOrNull != null ? databaseOrNull : DemoGeoIp.file();
        if (!Files.exists(file) && file.getFileName() != null && file.getFileName().toString().equals(WORLD_DATABASE)) {
            // The README's examples use the world database, which a fresh clone does not have yet.
            throw new InvalidGeoIpDatabaseException(file, "no such file; the world database is fetched, not"
                    + " committed: run deploy/geoip/fetch-world-db.sh (it writes .cache/geoip/" + WORLD_DATABASE + ")", null);
        }
        return GeoIpDatabase.open(file);
    }
}
