package io.homeport.geoip;

import java.util.Locale;

/**
 * What kind of database it is, detected from its metadata's {@code database_type}: MaxMind's
 * databases that hold no country (ASN, ISP, ...) are refused. Every kind is read the same way.
 */
public enum DatabaseKind {
    /** GeoIP2/GeoLite2 Country. */
    GEOIP2_COUNTRY,
    /** GeoIP2/GeoLite2 City. */
    GEOIP2_CITY,
    /** GeoIP2 Enterprise. */
    GEOIP2_ENTERPRISE,
    /** Any other MMDB whose records carry {@code country_code} or {@code country.iso_code}. */
    COUNTRY_MMDB;

    /**
     * The kind for {@code databaseType}.
     *
     * @throws IllegalArgumentException for MaxMind databases that hold no country (ASN, ISP, ...)
     */
    static DatabaseKind of(String databaseType) {
        String type = databaseType == null ? "" : databaseType;
        boolean maxMind = type.startsWith("GeoIP2-") || type.startsWith("GeoLite2-");
        if (!maxMind) {
            return COUNTRY_MMDB;
        }
        String lower = type.toLowerCase(Locale.ROOT);
        if (lower.endsWith("-country")) {
            return GEOIP2_COUNTRY;
        }
        if (lower.endsWith("-city")) {
            return GEOIP2_CITY;
        }
        if (lower.endsWith("-enterprise")) {
            return GEOIP2_ENTERPRISE;
        }
        throw new IllegalArgumentException("database type " + type
                + " holds no country (expected: a Country, City or Enterprise database, or an MMDB with country_code)");
    }
}
