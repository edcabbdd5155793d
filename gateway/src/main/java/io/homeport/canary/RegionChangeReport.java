package io.homeport.canary;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How many recent requests a new configuration would send to another home region.
 *
 * @param sampledRequests the requests the sample stands for
 * @param movedRequests those whose home region would change
 * @param transitions moved requests by {@code "old -> new"} region ({@code refused} for a request
 *     that would get 503), most first
 * @param countries moved requests by the client's country ({@code "IN"}, or {@code "IN -> SG"} when
 *     the database changed the country; {@code "-"} for none), most first
 * @param examples a few moved networks per transition, e.g. {@code 49.36.0.0/24 (IN -> SG): us -> singapore, 120 requests}
 */
public record RegionChangeReport(long sampledRequests, long movedRequests, Map<String, Long> transitions,
        Map<String, Long> countries, List<String> examples) {

    public static final RegionChangeReport NONE = new RegionChangeReport(0, 0, Map.of(), Map.of(), List.of());

    public RegionChangeReport {
        transitions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(transitions));
        countries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(countries));
        examples = List.copyOf(examples);
    }

    /** The moved share of the sampled requests, 0 to 1 (0 when nothing was sampled). */
    public double movedShare() {
        return sampledRequests == 0 ? 0 : (double) movedRequests / sampledRequests;
    }

    public boolean moves() {
        return movedRequests > 0;
    }

    /** {@code 2.35%}: the share as a percentage with two decimals. */
    public String movedPercent() {
        return percent(movedShare());
    }

    public static String percent(double share) {
        return String.format(Locale.ROOT, "%.2f%%", share * 100);
    }

    /** One line: {@code 2.35% of 12000 sampled requests change home region (us -> singapore 280; ...)}. */
    public String summary() {
        if (sampledRequests == 0) {
            return "no recent traffic sampled: the change in home regions is unknown";
        }
        return movedPercent() + " of " + sampledRequests + " sampled requests change home region" + byRegion();
    }

    /** {@code 2.35% of 12000 sampled requests (us -> singapore 280; ...)}: what moves, for a refusal. */
    public String moved() {
        return movedPercent() + " of " + sampledRequests + " sampled requests" + byRegion();
    }

    private String byRegion() {
        if (transitions.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(" (");
        transitions.forEach((transition, requests) -> text.append(transition).append(' ').append(requests).append("; "));
        text.setLength(text.length() - 2);
        return text.append(')').toString();
    }

    /** The report as a JSON-ready map, for the admin {@code POST /reload} answer. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("sampled_requests", sampledRequests);
        map.put("moved_requests", movedRequests);
        map.put("moved_share", movedShare());
        map.put("by_region", transitions);
        map.put("by_country", countries);
        map.put("examples", examples);
        return map;
    }
}
