package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * The JSON of one watch's events ({@code {"type":"ADDED","object":{...}}}): each object as stored, or as a one-row
 * {@code meta.k8s.io/v1 Table} when the client asked for Tables, with the column definitions in the first event only,
 * as kube-apiserver sends them to {@code kubectl get -w}.
 */
final class WatchEvents {

    /** The annotation of the bookmark that ends the initial events of a {@code sendInitialEvents} watch. */
    static final String INITIAL_EVENTS_END = "k8s.io/initial-events-end";

    private final WatchRequest request;
    private final JsonNode crd;
    private boolean headersSent;

    WatchEvents(WatchRequest request, JsonNode crd) {
        this.request = request;
        this.crd = crd;
    }

    /** An ADDED, MODIFIED or DELETED event of {@code object}. */
    String of(String type, JsonNode object) {
        return event(type, request.table() ? row(object) : object);
    }

    /** A BOOKMARK at {@code resourceVersion}; the one that ends the initial events carries their annotation. */
    String bookmark(long resourceVersion, boolean initialEventsEnd) {
        ObjectNode object = ApiStatus.JSON.createObjectNode();
        if (request.table()) {
            object.put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        } else {
            if (request.type() != null) {
                object.put("kind", request.type().kind());
            }
            object.put("apiVersion", request.resource().apiVersion());
        }
        ObjectNode metadata = object.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
        if (initialEventsEnd) {
            metadata.putObject("annotations").put(INITIAL_EVENTS_END, "true");
        }
        return event("BOOKMARK", object);
    }

    /** An ERROR event carrying the {@code Status} of {@code e}: how a watch that has started reports a failure. */
    static String error(ApiException e) {
        return event("ERROR", ApiStatus.status(e));
    }

    private JsonNode row(JsonNode object) {
        ObjectNode table = TableView.table(
                request.type(),
                crd,
                List.of(object),
                object.path("metadata").path("resourceVersion").asText(""),
                request.includeObject(),
                Instant.now());
        if (headersSent) {
            table.remove("columnDefinitions");
        }
        headersSent = true;
        return table;
    }

    private static String event(String type, JsonNode object) {
        ObjectNode event = ApiStatus.JSON.createObjectNode().put("type", type);
        event.set("object", object);
        return event.toString();
    }
}
