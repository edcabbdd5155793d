package io.homeport.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An admin answer before it becomes HTTP: keeps {@link AdminEndpoints} free of Netty types.
 *
 * @param headers extra response headers: {@code Allow} of a 405, {@code WWW-Authenticate} of a 401
 */
record AdminResponse(int status, String contentType, String body, Map<String, String> headers) {

    AdminResponse {
        headers = Map.copyOf(headers);
    }

    static final String JSON = "application/json; charset=utf-8";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String TAB_SEPARATED = "text/tab-separated-values; charset=utf-8";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static AdminResponse json(int status, Object value) {
        try {
            return new AdminResponse(status, JSON, MAPPER.writeValueAsString(value) + "\n", Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("admin answers are plain data and always serialize", e);
        }
    }

    /** A JSON string already rendered elsewhere (explanations, reload results). */
    static AdminResponse rawJson(int status, String json) {
        return new AdminResponse(status, JSON, json.endsWith("\n") ? json : json + "\n", Map.of());
    }

    /** The error body every Homeport error has (SPEC §4); admin requests carry no request id. */
    static AdminResponse error(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("request_id", null);
        return json(status, body);
    }

    static AdminResponse methodNotAllowed(String method, String path, String allowed) {
        AdminResponse error = error(405, "method " + method + " not allowed on " + path + " (expected: " + allowed + ")");
        return new AdminResponse(405, error.contentType(), error.body(), Map.of("Allow", allowed));
    }

    /** 401 for a request without the admin token; {@code WWW-Authenticate} names the scheme. */
    static AdminResponse unauthorized() {
        AdminResponse error = error(401, "admin API requires Authorization: Bearer <admin.token>");
        return new AdminResponse(401, error.contentType(), error.body(), Map.of("WWW-Authenticate", "Bearer"));
    }
}
