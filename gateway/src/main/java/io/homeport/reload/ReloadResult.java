package io.homeport.reload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one reload.
 *
 * @param success whether the new configuration (or the unchanged old one) is serving
 * @param changes what was swapped in, one line per file, e.g. {@code rules: sha256 1a2b3c4d5e6f -> 7a8b9c0d1e2f};
 *     empty when nothing had changed
 * @param errors why the reload was refused, one line per problem ({@code file:line:col: message},
 *     or the database's error); empty on success
 */
public record ReloadResult(boolean success, List<String> changes, List<String> errors) {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ReloadResult {
        changes = List.copyOf(changes);
        errors = List.copyOf(errors);
        if (success != errors.isEmpty()) {
            throw new IllegalArgumentException("errors: " + errors + " (expected: empty exactly when success)");
        }
    }

    static ReloadResult applied(List<String> changes) {
        return new ReloadResult(true, changes, List.of());
    }

    static ReloadResult refused(List<String> errors) {
        return new ReloadResult(false, List.of(), errors);
    }

    /** Whether a new configuration was swapped in. */
    public boolean changed() {
        return success && !changes.isEmpty();
    }

    /**
     * The result as the admin {@code POST /reload} answers it. A refusal also carries the
     * {@code error}/{@code request_id} pair every Homeport error body has.
     */
    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("success", success);
        if (!success) {
            json.put("error", "reload refused (" + errors.size() + (errors.size() == 1 ? " problem" : " problems")
                    + "); the previous configuration keeps serving");
            json.put("request_id", null);
        }
        json.put("changed", changed());
        json.put("changes", changes);
        json.put("errors", errors);
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a reload result is plain data and always serializes", e);
        }
    }
}
