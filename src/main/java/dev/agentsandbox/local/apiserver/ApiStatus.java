package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;

/** Builds {@code meta/v1 Status} replies, the way a real API server reports errors. */
final class ApiStatus {

    static final ObjectMapper JSON = new ObjectMapper();

    private ApiStatus() {}

    static MockResponse reply(int code, String reason, String message) {
        return reply(new ApiException(code, reason, message));
    }

    static MockResponse reply(ApiException e) {
        return json(e.code(), status(e).toString());
    }

    /** The {@code Status} that reports {@code e}. */
    static ObjectNode status(ApiException e) {
        ObjectNode status = JSON.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", e.code() < 400 ? "Success" : "Failure");
        status.put("message", e.getMessage());
        status.put("reason", e.reason());
        if (!e.causes().isEmpty() || e.detailsKind() != null) {
            ObjectNode details = status.putObject("details");
            if (e.detailsKind() != null) {
                details.put("name", e.detailsName())
                        .put("group", e.detailsGroup())
                        .put("kind", e.detailsKind());
            }
            ArrayNode causes = details.putArray("causes");
            for (ApiException.FieldCause c : e.causes()) {
                causes.addObject()
                        .put("reason", c.reason())
                        .put("message", c.message())
                        .put("field", c.field());
            }
        }
        status.put("code", e.code());
        return status;
    }

    static MockResponse json(int code, String body) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(body);
    }

    static String reasonFor(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 409 -> "Conflict";
            case 410 -> "Expired";
            case 415 -> "UnsupportedMediaType";
            case 422 -> "Invalid";
            case 429 -> "TooManyRequests";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> code >= 500 ? "InternalError" : "Unknown";
        };
    }
}
