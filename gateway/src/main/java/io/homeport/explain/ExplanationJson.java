package io.homeport.explain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.homeport.routing.Explanation;
import io.homeport.routing.IpAddresses;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An explanation as JSON, the same for {@code homeport explain --json} and the admin
 * {@code GET /explain}: {@code client_ip}, {@code country} (null when unknown), {@code reason},
 * {@code region}, and the details behind them.
 */
public final class ExplanationJson {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ExplanationJson() {}

    public static Map<String, Object> toMap(Explanation explanation) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("client_ip", IpAddresses.toText(explanation.request().clientAddress()));
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
        try {
            return MAPPER.writeValueAsString(toMap(explanation));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an explanation is plain data and always serializes", e);
        }
    }
}
