package dev.agentsandbox.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The part of structural OpenAPI v3 schema validation that an API server applies to custom resources and that
 * the generated CRDs use: types, properties (unknown fields are reported, as a server with strict field
 * validation does), additionalProperties, items, required, enum, minimum and maximum, int-or-string and
 * preserve-unknown-fields. Enough to show what the schema refuses; not a full validator (no CEL rules, formats).
 */
public final class SchemaCheck {

    private SchemaCheck() {}

    /** The errors for a whole object (apiVersion, kind and metadata are the API server's, not the schema's). */
    public static List<String> validate(JsonNode schema, JsonNode object) {
        List<String> errors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (List.of("apiVersion", "kind", "metadata").contains(field.getKey())) {
                continue;
            }
            JsonNode fieldSchema = schema.path("properties").path(field.getKey());
            if (fieldSchema.isMissingNode()) {
                errors.add("." + field.getKey() + ": unknown field");
            } else {
                check(fieldSchema, field.getValue(), "." + field.getKey(), errors);
            }
        }
        schema.path("required").forEach(r -> {
            if (!object.has(r.asText())) {
                errors.add("." + r.asText() + ": Required value");
            }
        });
        return errors;
    }

    static void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                errors.add(path + ": null is not allowed");
            }
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                errors.add(path + ": must be an integer or a string");
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> checkObject(schema, value, path, errors);
            case "array" -> {
                if (!value.isArray()) {
                    errors.add(path + ": must be an array");
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(schema.path("items"), value.get(i), path + "[" + i + "]", errors);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    errors.add(path + ": must be a string");
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    errors.add(path + ": must be an integer");
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    errors.add(path + ": must be a number");
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    errors.add(path + ": must be a boolean");
                }
            }
            default -> {
                if (!schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false) && !type.isEmpty()) {
                    errors.add(path + ": unsupported schema type " + type);
                }
            }
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode allowed : schema.get("enum")) {
                listed |= allowed.asText().equals(value.asText());
            }
            if (!listed) {
                errors.add(path + ": Unsupported value: \"" + value.asText() + "\": supported values: "
                        + schema.get("enum"));
            }
        }
        if (schema.has("minimum")
                && value.isNumber()
                && value.asDouble() < schema.get("minimum").asDouble()) {
            errors.add(path + ": Invalid value: " + value + ": should be greater than or equal to "
                    + schema.get("minimum").asLong());
        }
        if (schema.has("maximum")
                && value.isNumber()
                && value.asDouble() > schema.get("maximum").asDouble()) {
            errors.add(path + ": Invalid value: " + value + ": should be less than or equal to "
                    + schema.get("maximum").asLong());
        }
    }

    private static void checkObject(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (!value.isObject()) {
            errors.add(path + ": must be an object");
            return;
        }
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String fieldPath = path + "." + field.getKey();
            JsonNode fieldSchema = schema.path("properties").path(field.getKey());
            if (!fieldSchema.isMissingNode()) {
                check(fieldSchema, field.getValue(), fieldPath, errors);
            } else if (schema.has("additionalProperties")
                    && schema.get("additionalProperties").isObject()) {
                check(schema.get("additionalProperties"), field.getValue(), fieldPath, errors);
            } else if (!preserve) {
                errors.add(fieldPath + ": unknown field");
            }
        }
        schema.path("required").forEach(r -> {
            if (!value.has(r.asText())) {
                errors.add(path + "." + r.asText() + ": Required value");
            }
        });
    }
}
