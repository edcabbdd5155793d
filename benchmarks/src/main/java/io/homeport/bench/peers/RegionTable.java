package io.homeport.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The peer benchmark's country-to-region table: one {@code COUNTRY<TAB>REGION} line per country,
 * and one {@code *<TAB>REGION} line for every other country and for clients with no country.
 * Blank lines and lines starting with {@code #} are ignored.
 */
public record RegionTable(Map<String, String> countries, String defaultRegion) {

    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Pattern REGION = Pattern.compile("[a-z][a-z0-9_-]*");

    public static RegionTable read(Path file) throws IOException {
        Map<String, String> countries = new LinkedHashMap<>();
        String defaultRegion = null;
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            String where = file + ":" + (i + 1) + ": ";
            if (fields.length != 2 || !REGION.matcher(fields[1]).matches()) {
                throw new IllegalArgumentException(where + "expected COUNTRY<TAB>region or *<TAB>region, got \"" + line + "\"");
            }
            if (fields[0].equals("*")) {
                if (defaultRegion != null) {
                    throw new IllegalArgumentException(where + "a second default (*) line");
                }
                defaultRegion = fields[1];
            } else if (!COUNTRY.matcher(fields[0]).matches()) {
                throw new IllegalArgumentException(where + "\"" + fields[0] + "\" is not a two-letter country code");
            } else if (countries.put(fields[0], fields[1]) != null) {
                throw new IllegalArgumentException(where + "country " + fields[0] + " listed twice");
            }
        }
        if (defaultRegion == null) {
            throw new IllegalArgumentException(file + ": no default line (*<TAB>region)");
        }
        return new RegionTable(Collections.unmodifiableMap(countries), defaultRegion);
    }

    /** The region for a country code, or the default for null (no country) and unlisted countries. */
    public String regionOf(String country) {
        return country == null ? defaultRegion : countries.getOrDefault(country, defaultRegion);
    }

    /** Every region the table names, the default last. */
    public List<String> regions() {
        List<String> regions = new ArrayList<>();
        for (String region : countries.values()) {
            if (!regions.contains(region)) {
                regions.add(region);
            }
        }
        regions.remove(defaultRegion);
        regions.add(defaultRegion);
        return regions;
    }

    /** The {@code country_code} of a flat country record (geo-whois-asn-country), or null. */
    static String countryOf(Object record) {
        if (record instanceof Map<?, ?> map && map.get("country_code") instanceof String code && !code.isEmpty()) {
            return code.toUpperCase(java.util.Locale.ROOT);
        }
        return null;
    }
}
