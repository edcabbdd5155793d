package io.homeport.reload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.homeport.canary.RegionChangeReport;
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
 * @param regionChange what the canary found the change would move ({@link RegionChangeReport#NONE}
 *     when nothing changed or the files were refused before it ran)
 * @param forced whether the change was applied past the canary with {@code force}
 */
public record ReloadResult(boolean success, List<String> changes, List<String> errors, RegionChangeReport regionChange,
        boolean forced) {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ReloadResult {
        changes = List.copyOf(changes);
        errors = List.copyOf(errors);
        if (success != errors.isEmpty()) {
            throw new IllegalArgumentException("errors: " + errors + " (expected: empty exactly when success)");
        }
    }

    public ReloadResult(boolean success, List<String> changes, List<String> errors) {
        this(success, changes, errors, RegionChangeReport.NONE, false);
    }

    static ReloadResult applied(List<String> changes) {
        return new ReloadResult(true, changes, List.of());
    }

    static ReloadResult applied(List<String> changes, RegionChangeReport regionChange, boolean forced) {
        return new ReloadResult(true, changes, List.of(), regionChange, forced);
    }

    static ReloadResult refused(List<String> errors) {
        return new ReloadResult(false, List.of(), errors);
    }

    static ReloadResult refused(List<String> errors, RegionChangeReport regionChange) {
        return new ReloadResult(false, List.of(), errors, regionChange, false);
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
        if (regionChange != RegionChangeReport.NONE) {
            json.put("region_change", regionChange.toMap());
        }
        if (forced) {
            json.put("forced", true);
        }
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a reload result is plain data and always serializes", e);
        }
    }
}
