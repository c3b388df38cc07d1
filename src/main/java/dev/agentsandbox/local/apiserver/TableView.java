package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code meta.k8s.io/v1 Table} kubectl asks for with {@code kubectl get}: a CRD's additionalPrinterColumns, the
 * usual Pod columns, or name and age. Without it kubectl shows only NAME and AGE for every kind.
 */
final class TableView {

    /** One column: header, JSON type, JSONPath, priority (1 = only with {@code -o wide}). */
    record Column(String name, String type, String jsonPath, int priority) {}

    private TableView() {}

    /** Whether a request's {@code Accept} header asks for Tables ({@code application/json;as=Table;...}). */
    static boolean asked(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    static String of(
            ResourceType type,
            JsonNode crd,
            List<JsonNode> items,
            String resourceVersion,
            String include,
            Instant now) {
        return table(type, crd, items, resourceVersion, include, now).toString();
    }

    /** The Table of {@code items}; {@code include} is the request's {@code includeObject}. */
    static ObjectNode table(
            ResourceType type,
            JsonNode crd,
            List<JsonNode> items,
            String resourceVersion,
            String include,
            Instant now) {
        List<Column> columns = columns(type, crd);
        ObjectNode table =
                ApiStatus.JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata").put("resourceVersion", resourceVersion);
        ArrayNode defs = table.putArray("columnDefinitions");
        defs.addObject()
                .put("name", "Name")
                .put("type", "string")
                .put("format", "name")
                .put("description", "Name")
                .put("priority", 0);
        for (Column c : columns) {
            defs.addObject()
                    .put("name", c.name())
                    .put("type", c.type().equals("date") ? "string" : c.type())
                    .put("format", "")
                    .put("description", c.name())
                    .put("priority", c.priority());
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode item : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            cells.add(item.path("metadata").path("name").asText());
            for (Column c : columns) {
                cells.add(cell(item, c, now));
            }
            if ("Object".equals(include)) {
                row.set("object", item);
            } else if (!"None".equals(include)) {
                ObjectNode partial = row.putObject("object")
                        .put("kind", "PartialObjectMetadata")
                        .put("apiVersion", "meta.k8s.io/v1");
                partial.set("metadata", item.path("metadata"));
            }
        }
        return table;
    }

    private static List<Column> columns(ResourceType type, JsonNode crd) {
        List<Column> columns = new ArrayList<>();
        if (crd != null) {
            for (JsonNode v : crd.path("spec").path("versions")) {
                if (v.path("name").asText().equals(type.version())) {
                    for (JsonNode c : v.path("additionalPrinterColumns")) {
                        columns.add(new Column(
                                c.path("name").asText(),
                                c.path("type").asText("string"),
                                c.path("jsonPath").asText(),
                                c.path("priority").asInt(0)));
                    }
                }
            }
            if (!columns.isEmpty()) {
                // the generator sorts columns by name; kubectl users expect Age last, as with every built-in kind
                columns.sort((a, b) ->
                        Boolean.compare(a.name().equals("Age"), b.name().equals("Age")));
                return columns;
            }
        }
        if (type != null && type.kind().equals("Pod") && type.group().isEmpty()) {
            columns.add(new Column("Ready", "string", "@ready", 0));
            columns.add(new Column("Status", "string", "@status", 0));
            columns.add(new Column("Restarts", "integer", "@restarts", 0));
        }
        columns.add(new Column("Age", "date", ".metadata.creationTimestamp", 0));
        if (type != null && type.kind().equals("Pod") && type.group().isEmpty()) {
            columns.add(new Column("IP", "string", ".status.podIP", 1));
            columns.add(new Column("Node", "string", ".spec.nodeName", 1));
        }
        return columns;
    }

    private static JsonNode cell(JsonNode item, Column c, Instant now) {
        JsonNode value =
                switch (c.jsonPath()) {
                    case "@ready" -> text(podReady(item));
                    case "@status" -> text(podStatus(item));
                    case "@restarts" -> ApiStatus.JSON.getNodeFactory().numberNode(restarts(item));
                    default -> JsonPathLite.read(item, c.jsonPath());
                };
        if (value == null || value.isMissingNode()) {
            return ApiStatus.JSON.getNodeFactory().nullNode();
        }
        if (c.type().equals("date") && value.isTextual()) {
            try {
                return text(age(Duration.between(Instant.parse(value.asText()), now)));
            } catch (RuntimeException e) {
                return value;
            }
        }
        return value;
    }

    private static String podReady(JsonNode pod) {
        int total = pod.path("spec").path("containers").size();
        int ready = 0;
        for (JsonNode cs : pod.path("status").path("containerStatuses")) {
            ready += cs.path("ready").asBoolean() ? 1 : 0;
        }
        return ready + "/" + total;
    }

    private static String podStatus(JsonNode pod) {
        if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
            return "Terminating";
        }
        for (JsonNode cs : pod.path("status").path("containerStatuses")) {
            String waiting = cs.path("state").path("waiting").path("reason").asText("");
            if (!waiting.isEmpty()) {
                return waiting;
            }
        }
        return pod.path("status").path("phase").asText("Pending");
    }

    private static int restarts(JsonNode pod) {
        int n = 0;
        for (JsonNode cs : pod.path("status").path("containerStatuses")) {
            n += cs.path("restartCount").asInt();
        }
        return n;
    }

    /** Kubernetes' short human durations: 45s, 3m12s, 25m, 5h3m, 30h, 3d4h, 12d. */
    static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 120) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 10) {
            return m + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
        }
        long h = m / 60;
        if (h < 3) {
            return m + "m";
        }
        if (h < 8) {
            return h + "h" + (m % 60 == 0 ? "" : m % 60 + "m");
        }
        if (h < 48) {
            return h + "h";
        }
        long days = h / 24;
        if (days < 8) {
            return days + "d" + (h % 24 == 0 ? "" : h % 24 + "h");
        }
        return days + "d";
    }

    private static JsonNode text(String s) {
        return ApiStatus.JSON.getNodeFactory().textNode(s);
    }
}
