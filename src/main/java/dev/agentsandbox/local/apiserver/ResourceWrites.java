package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/** Creates, updates, patches and deletes of objects and their status, with the checks fabric8's store lacks. */
final class ResourceWrites {

    private final CrudStore store;

    ResourceWrites(CrudStore store) {
        this.store = store;
    }

    MockResponse create(RecordedRequest request, ResourcePath rp, ResourceType type) {
        ObjectNode body = RequestBody.object(request);
        if (type != null && type.custom()) {
            SchemaValidator.validate(type, body, strict(rp));
        }
        GeneratedNames.assign(body);
        return store.create(rp.collectionPath(), body);
    }

    MockResponse update(RecordedRequest request, ResourcePath rp, ResourceType type) {
        ObjectNode body = RequestBody.object(request);
        boolean status = isStatus(rp);
        if (status) {
            // fabric8's status PUT ignores the body's resourceVersion; a real API server checks it
            rejectStaleVersion(store.current(rp), body);
        }
        if (type != null && type.custom()) {
            SchemaValidator.validate(type, body, !status && strict(rp));
        }
        return replace(rp, body);
    }

    MockResponse patch(RecordedRequest request, ResourcePath rp, ResourceType type) {
        ObjectNode current = store.current(rp);
        JsonNode patched = Patches.apply(request, current, type);
        if (!patched.isObject()) {
            throw new ApiException(422, "Invalid", "the patch of " + rp.describe() + " does not yield an object");
        }
        ObjectNode updated = (ObjectNode) patched;
        rejectStaleVersion(current, updated);
        if (!updated.path("metadata").hasNonNull("resourceVersion")) {
            ((ObjectNode) updated.with("metadata"))
                    .put(
                            "resourceVersion",
                            current.path("metadata").path("resourceVersion").asText());
        }
        if (type != null && type.custom()) {
            SchemaValidator.validate(type, updated, !isStatus(rp) && strict(rp));
        }
        return replace(rp, updated);
    }

    /** Writes the object, or only its status when {@code rp} addresses the status subresource. */
    private MockResponse replace(ResourcePath rp, ObjectNode object) {
        String path = isStatus(rp) ? rp.objectPath() + "/status" : rp.objectPath();
        MockResponse r = store.replace(path, object);
        if (r.code() == 404) {
            return ApiStatus.reply(ApiException.notFound(rp));
        }
        if (r.code() < 300 && (r.getBody() == null || r.getBody().size() == 0)) {
            // the write took the last finalizer off an object being deleted, so the store let it go and answered
            // with nothing; a real API server answers with the object's final state, which kubectl prints
            return ApiStatus.json(200, object.toString());
        }
        return r;
    }

    MockResponse delete(RecordedRequest request, ResourcePath rp) {
        if (rp.isCollection()) {
            return store.delete(request.getPath());
        }
        String policy = rp.query().get("propagationPolicy");
        String text = RequestBody.text(request);
        if (!text.isBlank()) {
            policy = RequestBody.parse(text).path("propagationPolicy").asText(policy);
        }
        if ("Foreground".equals(policy) || "Orphan".equals(policy)) {
            addDeletionFinalizer(rp, "Foreground".equals(policy) ? "foregroundDeletion" : "orphan");
        }
        MockResponse r = store.delete(rp.objectPath());
        return r.code() == 404 ? ApiStatus.reply(ApiException.notFound(rp)) : r;
    }

    /** The finalizer the garbage collector acts on for foreground and orphan propagation. */
    private void addDeletionFinalizer(ResourcePath rp, String finalizer) {
        ObjectNode current = store.current(rp);
        ArrayNode finalizers = ((ObjectNode) current.with("metadata")).withArray("finalizers");
        boolean present = false;
        for (JsonNode f : finalizers) {
            present |= f.asText().equals(finalizer);
        }
        if (!present && !current.path("metadata").hasNonNull("deletionTimestamp")) {
            finalizers.add(finalizer);
            store.replace(rp.objectPath(), current);
        }
    }

    /** A 409 when {@code desired} names a resourceVersion other than the stored one, as optimistic locking wants. */
    static void rejectStaleVersion(JsonNode current, JsonNode desired) {
        String wanted = desired.path("metadata").path("resourceVersion").asText("");
        String actual = current.path("metadata").path("resourceVersion").asText("");
        if (!wanted.isEmpty() && !wanted.equals(actual)) {
            throw new ApiException(
                    409,
                    "Conflict",
                    "Operation cannot be fulfilled on "
                            + current.path("kind").asText() + " \""
                            + current.path("metadata").path("name").asText()
                            + "\": the object has been modified; please apply your changes to the latest version and try again");
        }
    }

    private static boolean isStatus(ResourcePath rp) {
        return "status".equals(rp.subresource());
    }

    private static boolean strict(ResourcePath rp) {
        return "Strict".equals(rp.query().get("fieldValidation"));
    }
}
