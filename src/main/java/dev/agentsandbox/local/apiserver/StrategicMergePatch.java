package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * An approximation of Kubernetes' strategic merge patch for built-in kinds (what {@code kubectl apply} and
 * {@code kubectl patch} send for them): like a merge patch, except that lists of objects that all carry a
 * {@code name} are merged element by element by name, {@code $patch: delete} removes such an element, and the
 * ordering and retain-keys directives are dropped. Lists keyed by other fields (ports, volume mounts) are replaced.
 */
final class StrategicMergePatch {

    private StrategicMergePatch() {}

    static JsonNode apply(JsonNode target, JsonNode patch) {
        return MergePatch.mergeFields(target, patch, key -> key.startsWith("$"), StrategicMergePatch::mergeValue);
    }

    private static JsonNode mergeValue(JsonNode current, JsonNode value) {
        if (value.isArray() && current != null && current.isArray() && namedObjects(value) && namedObjects(current)) {
            return mergeByName((ArrayNode) current, (ArrayNode) value);
        }
        if (value.isArray()) {
            return withoutDirectives((ArrayNode) value);
        }
        return apply(current, value);
    }

    private static ArrayNode mergeByName(ArrayNode current, ArrayNode patch) {
        ArrayNode merged = current.deepCopy();
        for (JsonNode element : patch) {
            String name = element.path("name").asText();
            int index = indexOf(merged, name);
            if ("delete".equals(element.path("$patch").asText())) {
                if (index >= 0) {
                    merged.remove(index);
                }
            } else if (index >= 0) {
                merged.set(index, apply(merged.get(index), element));
            } else {
                merged.add(apply(null, element));
            }
        }
        return merged;
    }

    private static ArrayNode withoutDirectives(ArrayNode list) {
        ArrayNode out = list.arrayNode();
        for (JsonNode e : list) {
            out.add(e.isObject() ? apply(null, e) : e);
        }
        return out;
    }

    private static int indexOf(ArrayNode list, String name) {
        for (int i = 0; i < list.size(); i++) {
            if (name.equals(list.get(i).path("name").asText(null))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean namedObjects(JsonNode list) {
        if (list.isEmpty()) {
            return true;
        }
        for (JsonNode e : list) {
            if (!e.isObject() || !e.hasNonNull("name")) {
                return false;
            }
        }
        return true;
    }
}
