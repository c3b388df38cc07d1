package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** GETs of an object or of a list filtered by its selectors, as JSON or as the Table that kubectl get asks for. */
final class ResourceReads {

    private final CrudStore store;

    ResourceReads(CrudStore store) {
        this.store = store;
    }

    MockResponse read(RecordedRequest request, ResourcePath rp, ResourceType type) {
        boolean table = TableView.asked(request.getHeader("Accept"));
        return rp.isCollection() ? list(rp, type, table) : object(rp, type, table);
    }

    private MockResponse object(ResourcePath rp, ResourceType type, boolean table) {
        MockResponse r = store.get(rp.objectPath());
        if (r.code() == 404) {
            return ApiStatus.reply(ApiException.notFound(rp));
        }
        if (!table) {
            return r;
        }
        JsonNode object = CrudStore.json(r);
        return table(rp, type, List.of(object), object);
    }

    private MockResponse list(ResourcePath rp, ResourceType type, boolean table) {
        Predicate<JsonNode> filter = Selectors.of(rp);
        JsonNode stored = CrudStore.json(store.get(rp.collectionPath()));
        ObjectNode list = ApiStatus.JSON.createObjectNode();
        list.put("apiVersion", rp.apiVersion());
        ArrayNode items = list.putArray("items");
        String itemKind = null;
        for (JsonNode item : stored.path("items")) {
            if (filter.test(item)) {
                items.add(item);
                itemKind = item.path("kind").asText(null);
            }
        }
        if (table) {
            List<JsonNode> rows = new ArrayList<>();
            items.forEach(rows::add);
            return table(rp, type, rows, stored);
        }
        String kind = type != null ? type.kind() : itemKind;
        list.put("kind", kind == null ? "List" : kind + "List");
        list.putObject("metadata").put("resourceVersion", resourceVersion(stored));
        return ApiStatus.json(200, list.toString());
    }

    /** {@code rows} as a Table, at the resourceVersion of {@code versioned} (the object, or the list read). */
    private MockResponse table(ResourcePath rp, ResourceType type, List<JsonNode> rows, JsonNode versioned) {
        return ApiStatus.json(
                200,
                TableView.of(
                        type,
                        store.crdOf(type),
                        rows,
                        resourceVersion(versioned),
                        rp.query().get("includeObject"),
                        Instant.now()));
    }

    private static String resourceVersion(JsonNode versioned) {
        return versioned.path("metadata").path("resourceVersion").asText("");
    }
}
