package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentsandbox.local.gc.ObjectStore;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The embedded API server's store as the garbage collector sees it: objects of known kinds, written one at a time. */
final class CollectorView implements ObjectStore {

    private final CrudStore store;
    private final ResourceCatalog catalog;

    CollectorView(CrudStore store, ResourceCatalog catalog) {
        this.store = store;
        this.catalog = catalog;
    }

    @Override
    public List<JsonNode> snapshot() {
        return store.snapshot();
    }

    @Override
    public boolean collectable(JsonNode object) {
        return typeOf(object).isPresent();
    }

    @Override
    public long changes() {
        return store.writeCount();
    }

    @Override
    public void delete(JsonNode object) {
        writeIfStillStored(object, store::delete);
    }

    @Override
    public void replace(JsonNode object) {
        writeIfStillStored(object, path -> store.replace(path, object));
    }

    /**
     * Runs {@code write} on the object's path only while the object the sweep saw is stored there, not another one
     * made under its name since; the check and the write are one step.
     */
    private void writeIfStillStored(JsonNode object, Function<String, MockResponse> write) {
        store.exclusively(() -> pathOf(object).ifPresent(p -> {
            JsonNode current = store.stored(p);
            if (current == null || !uidOf(current).equals(uidOf(object))) {
                return;
            }
            store.write(() -> write.apply(p));
        }));
    }

    private Optional<ResourceType> typeOf(JsonNode object) {
        return catalog.findKind(
                object.path("apiVersion").asText(), object.path("kind").asText());
    }

    private static String uidOf(JsonNode object) {
        return object.path("metadata").path("uid").asText();
    }

    private Optional<String> pathOf(JsonNode object) {
        return typeOf(object).map(t -> {
            String prefix = t.group().isEmpty() ? "/api/" + t.version() : "/apis/" + t.group() + "/" + t.version();
            String ns = object.path("metadata").path("namespace").asText("");
            return prefix + (t.namespaced() && !ns.isEmpty() ? "/namespaces/" + ns : "") + "/" + t.plural() + "/"
                    + object.path("metadata").path("name").asText();
        });
    }
}
