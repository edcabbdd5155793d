package io.homeport.geoip;

import java.nio.file.Path;

/** A GeoIP database file was refused; the message says which file and why. */
public final class InvalidGeoIpDatabaseException extends Exception {

    public InvalidGeoIpDatabaseException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
    }
}
