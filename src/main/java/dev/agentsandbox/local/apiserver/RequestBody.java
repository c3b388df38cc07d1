package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The body of a request as JSON, whether it came as JSON or as Kubernetes protobuf; a 400 when it is neither. */
final class RequestBody {

    private RequestBody() {}

    /** The object the request carries. */
    static ObjectNode object(RecordedRequest request) {
        String contentType =
                Optional.ofNullable(request.getHeader("Content-Type")).orElse("");
        if (contentType.startsWith(ProtobufBody.CONTENT_TYPE)) {
            return ProtobufBody.toJson(bytes(request));
        }
        JsonNode node = parse(text(request));
        if (!node.isObject()) {
            throw new ApiException(400, "BadRequest", "the request body is not a JSON object");
        }
        return (ObjectNode) node;
    }

    static String text(RecordedRequest request) {
        return new String(bytes(request), StandardCharsets.UTF_8);
    }

    /** {@code text} as JSON; blank is the empty object. */
    static JsonNode parse(String text) {
        try {
            return ApiStatus.JSON.readTree(text.isBlank() ? "{}" : text);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "BadRequest", "the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static byte[] bytes(RecordedRequest request) {
        Buffer body = request.getBody();
        byte[] b = body == null ? null : body.getBytes();
        return b == null ? new byte[0] : b;
    }
}
