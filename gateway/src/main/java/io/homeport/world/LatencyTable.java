package io.homeport.world;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Round-trip times between the world's cities: the measured rows of a table (with their source),
 * and for every other pair an estimate from the great-circle distance, light in fibre and the
 * median stretch of the measured rows. Same city: {@link #METRO_RTT_MS}.
 */
public final class LatencyTable {

    /** A round trip inside one metro area (an assumption, the same in every scenario). */
    public static final double METRO_RTT_MS = 2.0;
    /** Light in fibre, km per ms (two thirds of c). */
    static final double FIBRE_KM_PER_MS = 200.0;
    static final String RESOURCE = "/io/homeport/world/latency.tsv";

    record City(String name, double latitude, double longitude) {}

    /** A round trip between two cities and where it comes from. */
    public record RoundTrip(String from, String to, double milliseconds, String source, boolean measured) {}

    private final Map<String, City> cities;
    private final Map<String, RoundTrip> measured;
    private final double stretch;
    private final String origin;

    private LatencyTable(Map<String, City> cities, Map<String, RoundTrip> measured, String origin) {
        this.cities = cities;
        this.measured = measured;
        this.origin = origin;
        List<Double> stretches = new ArrayList<>();
        for (RoundTrip trip : measured.values()) {
            stretches.add(trip.milliseconds() / fibreRoundTrip(cities.get(trip.from()), cities.get(trip.to())));
        }
        stretches.sort(Double::compare);
        int n = stretches.size();
        this.stretch = n == 0 ? 1.5 : n % 2 == 1 ? stretches.get(n / 2) : (stretches.get(n / 2 - 1) + stretches.get(n / 2)) / 2;
    }

    /** The table shipped in the jar. */
    public static LatencyTable bundled() throws IOException {
        try (InputStream in = LatencyTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException(RESOURCE + " is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "bundled latency.tsv");
        }
    }

    public static LatencyTable load(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    static LatencyTable parse(String text, String origin) {
        Map<String, City> cities = new LinkedHashMap<>();
        Map<String, RoundTrip> measured = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = lines[i].split("\t");
            String where = origin + ":" + (i + 1) + ": ";
            try {
                switch (fields[0]) {
                    case "city" -> {
                        City city = new City(fields[1], Double.parseDouble(fields[2]), Double.parseDouble(fields[3]));
                        if (cities.put(city.name(), city) != null) {
                            throw new IllegalArgumentException(where + "city " + city.name() + " is listed twice");
                        }
                    }
                    case "rtt" -> {
                        String from = fields[1];
                        String to = fields[2];
                        double milliseconds = Double.parseDouble(fields[3]);
                        if (!cities.containsKey(from) || !cities.containsKey(to)) {
                            throw new IllegalArgumentException(where + "list the cities of " + from + " - " + to + " first (city rows)");
                        }
                        if (!(milliseconds > 0 && milliseconds < 2_000)) {
                            throw new IllegalArgumentException(where + milliseconds + " ms (expected more than 0, less than 2000)");
                        }
                        String source = fields.length > 4 ? fields[4] : "";
                        if (source.isBlank()) {
                            throw new IllegalArgumentException(where + "an rtt row needs its source (fifth column)");
                        }
                        measured.put(key(from, to), new RoundTrip(from, to, milliseconds, source, true));
                    }
                    default -> throw new IllegalArgumentException(where + "expected a city or rtt row, not \"" + fields[0] + "\"");
                }
            } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                throw new IllegalArgumentException(where + "expected kind<TAB>name<TAB>number<TAB>number[<TAB>source]");
            }
        }
        return new LatencyTable(cities, measured, origin);
    }

    /** The round trip between two cities: measured, or estimated (marked so, with the stretch used). */
    public RoundTrip between(String from, String to) {
        City a = city(from);
        City b = city(to);
        if (a.equals(b)) {
            return new RoundTrip(from, to, METRO_RTT_MS, "same city (assumed metro round trip)", false);
        }
        RoundTrip trip = measured.get(key(from, to));
        if (trip != null) {
            return trip;
        }
        double estimate = Math.round(fibreRoundTrip(a, b) * stretch * 10) / 10.0;
        return new RoundTrip(from, to, estimate, String.format(java.util.Locale.ROOT,
                "ESTIMATE: %.0f km great circle, x%.2f median stretch of the measured rows", distanceKm(a, b), stretch), false);
    }

    public double stretch() {
        return stretch;
    }

    public String origin() {
        return origin;
    }

    public boolean hasCity(String name) {
        return cities.containsKey(name);
    }

    private City city(String name) {
        City city = cities.get(name);
        if (city == null) {
            throw new IllegalArgumentException(origin + ": no city " + name + " (cities: " + String.join(", ", cities.keySet()) + ")");
        }
        return city;
    }

    private static String key(String from, String to) {
        return from.compareTo(to) <= 0 ? from + "|" + to : to + "|" + from;
    }

    static double fibreRoundTrip(City a, City b) {
        return 2 * distanceKm(a, b) / FIBRE_KM_PER_MS;
    }

    /** Haversine, on a sphere of the Earth's mean radius. */
    static double distanceKm(City a, City b) {
        double p1 = Math.toRadians(a.latitude());
        double p2 = Math.toRadians(b.latitude());
        double dp = p2 - p1;
        double dl = Math.toRadians(b.longitude() - a.longitude());
        double h = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * 6371.0 * Math.asin(Math.sqrt(h));
    }
}
