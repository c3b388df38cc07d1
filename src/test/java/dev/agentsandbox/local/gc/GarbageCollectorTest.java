package dev.agentsandbox.local.gc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The collector on a store of its own: which objects count as owners, and which it may act on. */
class GarbageCollectorTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A store in memory; kinds in {@code unknownKinds} are not collectable (the server does not know them). */
    static final class MemoryStore implements ObjectStore {
        final Map<String, JsonNode> objects = new LinkedHashMap<>();
        final Set<String> unknownKinds;
        long changes;

        MemoryStore(Set<String> unknownKinds) {
            this.unknownKinds = unknownKinds;
        }

        void put(JsonNode o) {
            objects.put(o.path("metadata").path("name").asText(), o);
            changes++;
        }

        @Override
        public List<JsonNode> snapshot() {
            return new ArrayList<>(objects.values());
        }

        @Override
        public boolean collectable(JsonNode object) {
            return !unknownKinds.contains(object.path("kind").asText());
        }

        @Override
        public long changes() {
            return changes;
        }

        @Override
        public void delete(JsonNode object) {
            objects.remove(object.path("metadata").path("name").asText());
            changes++;
        }

        @Override
        public void replace(JsonNode object) {
            put(object);
        }
    }

    static ObjectNode object(String kind, String name, String uid, String ownerUid) {
        ObjectNode o = JSON.createObjectNode().put("apiVersion", "v1").put("kind", kind);
        ObjectNode meta = o.putObject("metadata").put("name", name).put("uid", uid);
        if (ownerUid != null) {
            meta.putArray("ownerReferences").addObject().put("kind", "Owner").put("uid", ownerUid);
        }
        return o;
    }

    @Test
    void aDependentWhoseOwnerIsGoneIsCollected() {
        MemoryStore store = new MemoryStore(Set.of());
        store.put(object("ConfigMap", "child", "u-child", "u-gone"));
        new GarbageCollector(store).sweep();
        assertThat(store.objects).doesNotContainKey("child");
    }

    @Test
    void anOwnerOfAKindTheCollectorMayNotActOnStillProtectsItsDependents() {
        // a warm pool whose kind the catalog does not resolve at that moment is still an owner: its members stay
        MemoryStore store = new MemoryStore(Set.of("SandboxWarmPool"));
        store.put(object("SandboxWarmPool", "pool", "u-pool", null));
        store.put(object("Sandbox", "member", "u-member", "u-pool"));
        new GarbageCollector(store).sweep();
        assertThat(store.objects).containsKeys("pool", "member");
    }

    @Test
    void anObjectOfAnUnknownKindIsLeftAloneEvenWithoutItsOwner() {
        MemoryStore store = new MemoryStore(Set.of("Mystery"));
        store.put(object("Mystery", "odd", "u-odd", "u-gone"));
        new GarbageCollector(store).sweep();
        assertThat(store.objects).containsKey("odd");
    }
}
