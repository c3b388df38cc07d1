package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;

/** The {@code /scale} subresource: a custom resource seen as an autoscaling/v1 Scale, and a Scale written back. */
final class ScaleSubresource {

    private final CrudStore store;

    ScaleSubresource(CrudStore store) {
        this.store = store;
    }

    MockResponse read(ResourcePath rp, ResourceType type) {
        if (type == null || type.scale() == null) {
            return ApiStatus.reply(ApiException.notFound(rp));
        }
        return ApiStatus.json(200, of(store.current(rp), type.scale()).toString());
    }

    /** A PUT or PATCH of the Scale; called under the store's write lock. */
    MockResponse write(RecordedRequest request, String method, ResourcePath rp, ResourceType type) {
        if (type == null || type.scale() == null) {
            return ApiStatus.reply(ApiException.notFound(rp));
        }
        ObjectNode current = store.current(rp);
        JsonNode desired =
                switch (method) {
                    case "PUT" -> RequestBody.object(request);
                    case "PATCH" -> Patches.apply(request, of(current, type.scale()), null);
                    default -> throw new ApiException(405, "MethodNotAllowed", method + " is not supported on scale");
                };
        ResourceWrites.rejectStaleVersion(current, desired);
        JsonNode replicas = desired.path("spec").path("replicas");
        if (!replicas.isIntegralNumber()) {
            throw new ApiException(
                    422,
                    "Invalid",
                    "Scale.autoscaling \"" + rp.name() + "\" is invalid: " + "spec.replicas: Invalid value: " + replicas
                            + ": must be an integer",
                    List.of(new ApiException.FieldCause("FieldValueInvalid", "must be an integer", "spec.replicas")));
        }
        ObjectNode updated = current.deepCopy();
        setReplicas(updated, type.scale(), replicas.asInt());
        SchemaValidator.validate(type, updated, false);
        MockResponse r = store.replace(rp.objectPath(), updated);
        if (r.code() >= 300) {
            return r;
        }
        return ApiStatus.json(
                200, of((ObjectNode) CrudStore.json(r), type.scale()).toString());
    }

    private static ObjectNode of(ObjectNode object, ResourceType.Scale paths) {
        ObjectNode scale = ApiStatus.JSON
                .createObjectNode()
                .put("apiVersion", "autoscaling/v1")
                .put("kind", "Scale");
        JsonNode m = object.path("metadata");
        ObjectNode meta = scale.putObject("metadata");
        for (String key : new String[] {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
            if (m.hasNonNull(key)) {
                meta.set(key, m.get(key));
            }
        }
        scale.putObject("spec").put("replicas", object.at(paths.specReplicas()).asInt(0));
        ObjectNode status = scale.putObject("status")
                .put("replicas", object.at(paths.statusReplicas()).asInt(0));
        if (paths.labelSelector() != null && object.at(paths.labelSelector()).isTextual()) {
            status.put("selector", object.at(paths.labelSelector()).asText());
        }
        return scale;
    }

    private static void setReplicas(ObjectNode object, ResourceType.Scale paths, int replicas) {
        String[] parts = paths.specReplicas().substring(1).split("/");
        ObjectNode node = object;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.with(parts[i]);
        }
        node.put(parts[parts.length - 1], replicas);
    }
}
