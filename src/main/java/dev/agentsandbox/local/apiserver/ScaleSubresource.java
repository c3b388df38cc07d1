package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Maps a custom resource to and from the {@code autoscaling/v1 Scale} its {@code /scale} subresource serves. */
final class ScaleSubresource {

    private ScaleSubresource() {}

    static ObjectNode of(ObjectNode object, ResourceType.Scale paths) {
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

    static void setReplicas(ObjectNode object, ResourceType.Scale paths, int replicas) {
        String[] parts = paths.specReplicas().substring(1).split("/");
        ObjectNode node = object;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.with(parts[i]);
        }
        node.put(parts[parts.length - 1], replicas);
    }
}
