package dev.agentsandbox.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The catalog's custom kinds follow the stored CRDs, also when a CRD is written while they are being read. */
class ResourceCatalogTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode crd(String kind, String plural) {
        ObjectNode crd = JSON.createObjectNode();
        ObjectNode spec = crd.putObject("spec").put("group", "example.dev").put("scope", "Namespaced");
        spec.putObject("names").put("kind", kind).put("plural", plural);
        spec.putArray("versions")
                .addObject()
                .put("name", "v1")
                .put("served", true)
                .put("storage", true);
        return crd;
    }

    @Test
    void aCrdWrittenWhileTheKindsAreReadIsKnownAfterwards() {
        List<JsonNode> stored = new ArrayList<>(List.of(crd("Alpha", "alphas")));
        AtomicReference<ResourceCatalog> catalog = new AtomicReference<>();
        AtomicReference<Runnable> duringRead = new AtomicReference<>();
        catalog.set(new ResourceCatalog(() -> {
            List<JsonNode> seen = List.copyOf(stored);
            Runnable write = duringRead.getAndSet(null);
            if (write != null) {
                write.run(); // the write completes (and says so) after this read saw the store without it
            }
            return seen;
        }));
        duringRead.set(() -> {
            stored.add(crd("Beta", "betas"));
            catalog.get().crdsChanged();
        });

        assertThat(catalog.get().findKind("example.dev/v1", "Beta")).isEmpty(); // the read that raced the write
        assertThat(catalog.get().findKind("example.dev/v1", "Beta")).isPresent();
        assertThat(catalog.get().find("example.dev", "v1", "betas")).isPresent();
        assertThat(catalog.get().findKind("example.dev/v1", "Alpha")).isPresent();
    }

    @Test
    void theKindsAreReadOnceUntilACrdChanges() {
        int[] reads = {0};
        ResourceCatalog catalog = new ResourceCatalog(() -> {
            reads[0]++;
            return List.of(crd("Alpha", "alphas"));
        });
        catalog.findKind("example.dev/v1", "Alpha");
        catalog.findKind("example.dev/v1", "Alpha");
        assertThat(reads[0]).isEqualTo(1);
        catalog.crdsChanged();
        catalog.findKind("example.dev/v1", "Alpha");
        assertThat(reads[0]).isEqualTo(2);
    }
}
