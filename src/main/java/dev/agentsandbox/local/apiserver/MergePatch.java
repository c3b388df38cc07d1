package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;

/** JSON merge patch as RFC 7386 defines it: objects merge, everything else (lists too) replaces, null deletes. */
public final class MergePatch {

    private MergePatch() {}

    /** Returns the patched copy of {@code target}; neither argument is modified. */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        return mergeFields(target, patch, key -> false, MergePatch::apply);
    }

    /**
     * The frame strategic merge patch shares with this one: a patch that is not an object replaces the target; an
     * object patch is merged into a copy of the target field by field, skipping the {@code ignored} keys, removing
     * a field set to null and combining every other one with the target's by {@code mergeValue}.
     */
    static JsonNode mergeFields(
            JsonNode target, JsonNode patch, Predicate<String> ignored, BinaryOperator<JsonNode> mergeValue) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy()
                : ApiStatus.JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            if (ignored.test(key)) {
                continue;
            }
            if (field.getValue().isNull()) {
                result.remove(key);
            } else {
                result.set(key, mergeValue.apply(result.get(key), field.getValue()));
            }
        }
        return result;
    }
}
