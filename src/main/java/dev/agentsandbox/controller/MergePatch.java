package dev.agentsandbox.controller;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A JSON merge patch (RFC 7386) of what a controller changes on an object it read: the request carries only the keys
 * that change, and no copy of the object is made to compute it (a JSON round trip per write, which showed in the
 * controller's CPU profile, docs/benchmarks.md). It names the uid that was read, so an object recreated under the same
 * name is not patched; a {@link #locked} patch also names the resourceVersion, and the API server then refuses it with
 * a conflict when the object changed meanwhile, as it refuses an update.
 */
public final class MergePatch {

    private final HasMetadata read;
    private final ObjectNode root = JsonNodeFactory.instance.objectNode();
    private final ObjectNode metadata = root.putObject("metadata");
    private boolean changes;

    private MergePatch(HasMetadata read, boolean locked) {
        this.read = read;
        metadata.put("uid", read.getMetadata().getUid());
        if (locked) {
            metadata.put("resourceVersion", read.getMetadata().getResourceVersion());
        }
    }

    /** A patch of the keys it names, whatever else changed on the object since {@code read}. */
    public static MergePatch of(HasMetadata read) {
        return new MergePatch(read, false);
    }

    /** A patch that applies only to the object exactly as {@code read}. */
    public static MergePatch locked(HasMetadata read) {
        return new MergePatch(read, true);
    }

    /** Takes the labels from what was read to {@code after}. */
    public MergePatch labels(Map<String, String> after) {
        return change(metadata, "labels", read.getMetadata().getLabels(), after);
    }

    /** Takes the annotations from what was read to {@code after}. */
    public MergePatch annotations(Map<String, String> after) {
        return change(metadata, "annotations", read.getMetadata().getAnnotations(), after);
    }

    /** Replaces the owner references (a list is replaced whole by a merge patch). */
    public MergePatch ownerReferences(List<OwnerReference> references) {
        metadata.set("ownerReferences", Serialization.jsonMapper().valueToTree(references));
        changes = true;
        return this;
    }

    /** Adds or overwrites {@code entries} in the string map at {@code path} (for example a Pod template's labels). */
    public MergePatch put(List<String> path, Map<String, String> entries) {
        if (entries == null || entries.isEmpty()) {
            return this;
        }
        ObjectNode node = root;
        for (String field : path) {
            node = node.has(field) ? (ObjectNode) node.get(field) : node.putObject(field);
        }
        entries.forEach(node::put);
        changes = true;
        return this;
    }

    /** Whether the patch changes anything. */
    public boolean changes() {
        return changes;
    }

    /** The patch as sent. */
    public String json() {
        return root.toString();
    }

    /** Sends the patch to {@code object}; the object as the API server answers it. */
    public <T extends HasMetadata> T apply(KubernetesClient client, T object) {
        return client.resource(ObjectHandle.of(object)).patch(PatchContext.of(PatchType.JSON_MERGE), json());
    }

    /** The changed keys with their new value, the removed ones with null. */
    private MergePatch change(ObjectNode parent, String field, Map<String, String> before, Map<String, String> after) {
        Map<String, String> from = before == null ? Map.of() : before;
        Map<String, String> to = after == null ? Map.of() : after;
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        from.keySet().stream().filter(k -> !to.containsKey(k)).forEach(node::putNull);
        to.forEach((k, v) -> {
            if (!Objects.equals(from.get(k), v)) {
                node.put(k, v);
            }
        });
        if (!node.isEmpty()) {
            parent.set(field, node);
            changes = true;
        }
        return this;
    }
}
