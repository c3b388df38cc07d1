package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.Locale;
import java.util.Optional;

/** A PATCH body applied to the current object as its content type says: merge, JSON or strategic merge patch. */
final class Patches {

    private Patches() {}

    /**
     * The patched copy of {@code current}. {@code type} is null for a Scale and for a kind the catalog does not know;
     * a custom kind refuses strategic merge patch.
     */
    static JsonNode apply(RecordedRequest request, ObjectNode current, ResourceType type) {
        String contentType = Optional.ofNullable(request.getHeader("Content-Type"))
                .orElse("")
                .split(";")[0]
                .trim()
                .toLowerCase(Locale.ROOT);
        JsonNode patch =
                switch (contentType) {
                    case "application/merge-patch+json",
                            "application/json-patch+json",
                            "application/strategic-merge-patch+json" -> RequestBody.parse(RequestBody.text(request));
                    case "application/apply-patch+yaml", "application/apply-patch+cbor" -> throw new ApiException(
                            415,
                            "UnsupportedMediaType",
                            "server-side apply is not supported by the embedded API server; "
                                    + "use kubectl apply (client-side), a merge patch or an update");
                    default -> throw new ApiException(
                            415,
                            "UnsupportedMediaType",
                            "the body of the request was in an unknown format - accepted media types include: "
                                    + "application/json-patch+json, application/merge-patch+json, "
                                    + "application/strategic-merge-patch+json");
                };
        return switch (contentType) {
            case "application/merge-patch+json" -> MergePatch.apply(current, patch);
            case "application/json-patch+json" -> jsonPatch(current, patch);
            default -> strategicMergePatch(current, patch, type);
        };
    }

    private static JsonNode jsonPatch(ObjectNode current, JsonNode patch) {
        if (!patch.isArray()) {
            throw new ApiException(400, "BadRequest", "a JSON patch must be an array of operations");
        }
        try {
            return JsonPatch.apply(patch, current);
        } catch (RuntimeException e) {
            throw new ApiException(422, "Invalid", "the JSON patch could not be applied: " + e.getMessage());
        }
    }

    private static JsonNode strategicMergePatch(ObjectNode current, JsonNode patch, ResourceType type) {
        if (type != null && type.custom()) {
            throw new ApiException(
                    415,
                    "UnsupportedMediaType",
                    "strategic merge patch is not supported " + "for custom resources (" + type.kind()
                            + "); use a merge patch (--type merge)");
        }
        return StrategicMergePatch.apply(current, patch);
    }
}
