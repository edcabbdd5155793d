package io.homeport.explain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.homeport.proxy.ClientIp;
import io.homeport.routing.Explanation;
import io.homeport.routing.IpAddresses;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An explanation as JSON, the same for {@code homeport explain --json} and the admin
 * {@code GET /explain}: {@code client_ip} and where it came from, {@code country} (null when
 * unknown), {@code reason}, {@code region} (null when the request would be refused), and the
 * details behind them.
 */
public final class ExplanationJson {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ExplanationJson() {}

    public static Map<String, Object> toMap(Explanation explanation) {
        return toMap(explanation, null);
    }

    /**
     * @param clientIp where the client address came from, when it was resolved from a peer and its
     *     headers; null when the address was given as it is ({@code client_ip_source: "given"})
     */
    public static Map<String, Object> toMap(Explanation explanation, ClientIp clientIp) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("client_ip", IpAddresses.toText(explanation.request().clientAddress()));
        json.put("client_ip_source", clientIp == null ? "given" : clientIp.source().label());
        json.put("client_ip_hop", clientIp == null || !clientIp.fromHeader() ? null : clientIp.hop());
        json.put("user", explanation.request().userId());
        json.put("host", explanation.request().host());
        json.put("path", explanation.request().path());
        json.put("country", explanation.decision().country());
        json.put("country_source", explanation.geoSource());
        json.put("geo_outcome", explanation.geo().outcome().name().toLowerCase());
        json.put("network", explanation.geo().network());
        json.put("route", explanation.decision().route().name());
        json.put("reason", explanation.decision().reason().label());
        json.put("migration", explanation.decision().migration());
        json.put("bucket", explanation.bucket() < 0 ? null : explanation.bucket());
        json.put("region", explanation.decision().region());
        json.put("candidate_regions", explanation.candidateRegions());
        json.put("steps", explanation.steps());
        return json;
    }

    public static String toJson(Explanation explanation) {
        return toJson(explanation, null);
    }

    public static String toJson(Explanation explanation, ClientIp clientIp) {
        try {
            return MAPPER.writeValueAsString(toMap(explanation, clientIp));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an explanation is plain data and always serializes", e);
        }
    }
}
