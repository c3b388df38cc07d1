package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * An approximation of Kubernetes' strategic merge patch for built-in kinds (what {@code kubectl apply} and
 * {@code kubectl patch} send for them): like a merge patch, except that lists of objects that all carry a
 * {@code name} are merged element by element by name, {@code $patch: delete} removes such an element, and the
 * ordering and retain-keys directives are dropped. Lists keyed by other fields (ports, volume mounts) are replaced.
 */
final class StrategicMergePatch {

    private StrategicMergePatch() {}

    static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy()
                : ApiStatus.JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (key.startsWith("$")) {
                continue;
            }
            if (value.isNull()) {
                result.remove(key);
            } else if (value.isArray()
                    && result.get(key) != null
                    && result.get(key).isArray()
                    && namedObjects(value)
                    && namedObjects(result.get(key))) {
                result.set(key, mergeByName((ArrayNode) result.get(key), (ArrayNode) value));
            } else if (value.isArray()) {
                result.set(key, withoutDirectives((ArrayNode) value));
            } else {
                result.set(key, apply(result.get(key), value));
            }
        }
        return result;
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
