package io.homeport.geoip;

import java.util.Locale;

/** How a database is read, detected from its metadata's {@code database_type}. */
public enum DatabaseKind {
    /** GeoIP2/GeoLite2 Country, read through the GeoIP2 API. */
    GEOIP2_COUNTRY,
    /** GeoIP2/GeoLite2 City, read through the GeoIP2 API. */
    GEOIP2_CITY,
    /** GeoIP2 Enterprise, read through the GeoIP2 API. */
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
