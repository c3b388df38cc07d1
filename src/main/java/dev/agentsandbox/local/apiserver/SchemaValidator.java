package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks a custom resource against its CRD's {@code openAPIV3Schema} the way the API server does: unknown fields are
 * pruned (or refused under {@code fieldValidation=Strict}), defaults are filled in, and types, enums, required
 * fields, minimums, maximums, lengths and patterns are checked. Violations are answered with 422 and the field path.
 */
final class SchemaValidator {

    private static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");

    private SchemaValidator() {}

    /** Prunes, defaults and validates {@code object} in place; throws {@link ApiException} when it is invalid. */
    static void validate(ResourceType type, ObjectNode object, boolean strict) {
        List<ApiException.FieldCause> causes = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        JsonNode schema = type.schema();
        if (schema == null || schema.isEmpty()) {
            return;
        }
        walkObject(object, schema, "", causes, unknown, true);
        String name = object.path("metadata")
                .path("name")
                .asText(object.path("metadata").path("generateName").asText());
        if (strict && !unknown.isEmpty()) {
            throw new ApiException(
                    400,
                    "BadRequest",
                    type.kind() + " in version \"" + type.version()
                            + "\" cannot be handled as a " + type.kind() + ": strict decoding error: "
                            + unknown.stream()
                                    .map(u -> "unknown field \"" + u + "\"")
                                    .collect(Collectors.joining(", ")));
        }
        if (!causes.isEmpty()) {
            String detail = causes.size() == 1
                    ? causes.get(0).field() + ": " + causes.get(0).message()
                    : causes.stream()
                            .map(c -> c.field() + ": " + c.message())
                            .collect(Collectors.joining(", ", "[", "]"));
            throw new ApiException(
                            422,
                            "Invalid",
                            type.kind() + "." + type.group() + " \"" + name + "\" is invalid: " + detail,
                            causes)
                    .about(name, type.group(), type.kind());
        }
    }

    private static void walk(
            JsonNode node, JsonNode schema, String path, List<ApiException.FieldCause> causes, List<String> unknown) {
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!node.isIntegralNumber() && !node.isTextual()) {
                causes.add(typeCause(path, node, "integer or string"));
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> {
                if (!node.isObject()) {
                    causes.add(typeCause(path, node, "object"));
                    return;
                }
                walkObject((ObjectNode) node, schema, path, causes, unknown, false);
            }
            case "array" -> {
                if (!node.isArray()) {
                    causes.add(typeCause(path, node, "array"));
                    return;
                }
                JsonNode items = schema.path("items");
                ArrayNode array = (ArrayNode) node;
                for (int i = 0; i < array.size(); i++) {
                    if (items.isObject()) {
                        walk(array.get(i), items, path + "[" + i + "]", causes, unknown);
                    }
                }
                checkSize(path, array.size(), schema, "minItems", "maxItems", "items", causes);
            }
            case "string" -> {
                if (!node.isTextual()) {
                    causes.add(typeCause(path, node, "string"));
                    return;
                }
                checkEnum(path, node, schema, causes);
                checkSize(path, node.asText().length(), schema, "minLength", "maxLength", "characters", causes);
                if (schema.hasNonNull("pattern")
                        && !Pattern.compile(schema.get("pattern").asText())
                                .matcher(node.asText())
                                .find()) {
                    causes.add(new ApiException.FieldCause(
                            "FieldValueInvalid",
                            "Invalid value: " + node + ": " + path + " in body should match '"
                                    + schema.get("pattern").asText() + "'",
                            path));
                }
            }
            case "integer", "number" -> {
                boolean ok = type.equals("integer")
                        ? node.isIntegralNumber() || (node.isNumber() && node.asDouble() == Math.rint(node.asDouble()))
                        : node.isNumber();
                if (!ok) {
                    causes.add(typeCause(path, node, type));
                    return;
                }
                checkEnum(path, node, schema, causes);
                if (schema.has("minimum")
                        && node.asDouble() < schema.get("minimum").asDouble()) {
                    causes.add(new ApiException.FieldCause(
                            "FieldValueInvalid",
                            "Invalid value: " + node + ": " + path + " in body should be greater than or equal to "
                                    + number(schema.get("minimum")),
                            path));
                }
                if (schema.has("maximum")
                        && node.asDouble() > schema.get("maximum").asDouble()) {
                    causes.add(new ApiException.FieldCause(
                            "FieldValueInvalid",
                            "Invalid value: " + node + ": " + path + " in body should be less than or equal to "
                                    + number(schema.get("maximum")),
                            path));
                }
            }
            case "boolean" -> {
                if (!node.isBoolean()) {
                    causes.add(typeCause(path, node, "boolean"));
                }
            }
            default -> {
                // no type (anyOf, x-kubernetes-preserve-unknown-fields): anything goes
            }
        }
    }

    private static void walkObject(
            ObjectNode object,
            JsonNode schema,
            String path,
            List<ApiException.FieldCause> causes,
            List<String> unknown,
            boolean root) {
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.path("additionalProperties");
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            String child = path.isEmpty() ? key : path + "." + key;
            if (root && ROOT_FIELDS.contains(key)) {
                continue;
            }
            JsonNode propertySchema = properties.get(key);
            if (propertySchema == null && additional.isObject()) {
                propertySchema = additional;
            }
            if (propertySchema == null) {
                if (!preserve && !additional.asBoolean(false)) {
                    unknown.add(child);
                    it.remove();
                }
                continue;
            }
            if (field.getValue().isNull()) {
                if (!propertySchema.path("nullable").asBoolean(false)) {
                    it.remove();
                }
                continue;
            }
            walk(field.getValue(), propertySchema, child, causes, unknown);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            if (!object.has(property.getKey()) && property.getValue().has("default")) {
                object.set(property.getKey(), property.getValue().get("default").deepCopy());
            }
        }
        for (JsonNode required : schema.path("required")) {
            if (!object.hasNonNull(required.asText())) {
                String child = path.isEmpty() ? required.asText() : path + "." + required.asText();
                causes.add(new ApiException.FieldCause("FieldValueRequired", "Required value", child));
            }
        }
    }

    private static void checkEnum(String path, JsonNode node, JsonNode schema, List<ApiException.FieldCause> causes) {
        JsonNode values = schema.path("enum");
        if (!values.isArray() || values.isEmpty()) {
            return;
        }
        for (JsonNode v : values) {
            if (v.equals(node) || (v.isNumber() && node.isNumber() && v.asDouble() == node.asDouble())) {
                return;
            }
        }
        List<String> supported = new ArrayList<>();
        values.forEach(v -> supported.add(v.toString()));
        causes.add(new ApiException.FieldCause(
                "FieldValueNotSupported",
                "Unsupported value: " + node + ": supported values: " + String.join(", ", supported),
                path));
    }

    private static void checkSize(
            String path,
            int size,
            JsonNode schema,
            String min,
            String max,
            String unit,
            List<ApiException.FieldCause> causes) {
        if (schema.has(min) && size < schema.get(min).asInt()) {
            causes.add(new ApiException.FieldCause(
                    "FieldValueInvalid",
                    "Invalid value: " + size + ": " + path + " in body should have at least "
                            + schema.get(min).asInt() + " " + unit,
                    path));
        }
        if (schema.has(max) && size > schema.get(max).asInt()) {
            causes.add(new ApiException.FieldCause(
                    "FieldValueTooLong",
                    "Too long: may not be more than " + schema.get(max).asInt() + " " + unit,
                    path));
        }
    }

    private static ApiException.FieldCause typeCause(String path, JsonNode node, String expected) {
        return new ApiException.FieldCause(
                "FieldValueTypeInvalid",
                "Invalid value: " + shortly(node) + ": " + path + " in body must be of type " + expected + ": "
                        + shortly(node),
                path);
    }

    private static String shortly(JsonNode node) {
        if (node.isObject()) {
            return "\"object\"";
        }
        if (node.isArray()) {
            return "\"array\"";
        }
        return node.isTextual()
                ? "\"string\""
                : node.isBoolean()
                        ? "\"boolean\""
                        : "\"" + node.getNodeType().name().toLowerCase() + "\"";
    }

    private static String number(JsonNode n) {
        double d = n.asDouble();
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
