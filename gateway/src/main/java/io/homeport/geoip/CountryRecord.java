package io.homeport.geoip;

import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;

/**
 * The only part of an MMDB record the decision needs. Decoding this small record instead of a full
 * GeoIP2 response skips names in every language, subdivisions and traits.
 */
public record CountryRecord(String countryCode, IsoCode country) {

    @MaxMindDbConstructor
    public CountryRecord(
            @MaxMindDbParameter(name = "country_code") String countryCode,
            @MaxMindDbParameter(name = "country") IsoCode country) {
        this.countryCode = countryCode;
        this.country = country;
    }

    /** {@code country.iso_code} of the GeoIP2 schema, else the flat {@code country_code}. */
    public String isoCode() {
        if (country != null && country.isoCode() != null) {
            return country.isoCode();
        }
        return countryCode;
    }

    /** The {@code country} map of the GeoIP2 schema. */
    public record IsoCode(String isoCode) {

        @MaxMindDbConstructor
        public IsoCode(@MaxMindDbParameter(name = "iso_code") String isoCode) {
            this.isoCode = isoCode;
        }
    }
}
