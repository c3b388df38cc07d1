package dev.agentsandbox.router;

import dev.agentsandbox.api.Sandbox;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The Sandboxes the router can reach, from an informer cache: one informer for all namespaces, or one per
 * allow-listed namespace. Lookups are in-memory map reads, safe on the event loop.
 */
public final class SandboxDirectory implements AutoCloseable {

    private final SharedIndexInformer<Sandbox> everywhere;
    private final Map<String, SharedIndexInformer<Sandbox>> byNamespace;
    private volatile boolean synced;

    private SandboxDirectory(
            SharedIndexInformer<Sandbox> everywhere, Map<String, SharedIndexInformer<Sandbox>> byNamespace) {
        this.everywhere = everywhere;
        this.byNamespace = byNamespace;
    }

    /**
     * Creates (without starting) the informers.
     *
     * @param namespaces the allow-list; empty for every namespace
     * @param onRemoved called with {@code namespace/name} when a Sandbox disappears
     */
    public static SandboxDirectory create(
            KubernetesClient client, Optional<List<String>> namespaces, Consumer<String> onRemoved) {
        ResourceEventHandler<Sandbox> removal = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Sandbox sandbox) {}

            @Override
            public void onUpdate(Sandbox previous, Sandbox sandbox) {}

            @Override
            public void onDelete(Sandbox sandbox, boolean finalStateUnknown) {
                onRemoved.accept(sandbox.getMetadata().getNamespace() + "/"
                        + sandbox.getMetadata().getName());
            }
        };
        List<String> allowed =
                namespaces.orElse(List.of()).stream().filter(n -> !n.isBlank()).toList();
        if (allowed.isEmpty()) {
            SharedIndexInformer<Sandbox> informer =
                    client.resources(Sandbox.class).inAnyNamespace().runnableInformer(0);
            informer.addEventHandler(removal);
            return new SandboxDirectory(informer, Map.of());
        }
        Map<String, SharedIndexInformer<Sandbox>> informers = new HashMap<>();
        for (String namespace : allowed) {
            SharedIndexInformer<Sandbox> informer =
                    client.resources(Sandbox.class).inNamespace(namespace).runnableInformer(0);
            informer.addEventHandler(removal);
            informers.put(namespace, informer);
        }
        return new SandboxDirectory(null, Map.copyOf(informers));
    }

    /** Starts the informers; completes when every cache holds its first list. */
    public CompletionStage<Void> start() {
        List<CompletableFuture<Void>> started = new ArrayList<>();
        informers().forEach(i -> started.add(i.start().toCompletableFuture()));
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
    }

    /** True once every cache holds its first list; before that an absent Sandbox proves nothing. */
    public boolean synced() {
        if (synced) {
            return true;
        }
        // an informer stays synced once it has listed, so this is asked until true and then remembered
        synced = informers().stream().allMatch(SharedIndexInformer::hasSynced);
        return synced;
    }

    /** True when sandboxes of {@code namespace} may be reached through this router. */
    public boolean serves(String namespace) {
        return everywhere != null || byNamespace.containsKey(namespace);
    }

    /** The cached Sandbox, or null. */
    public Sandbox find(String namespace, String name) {
        SharedIndexInformer<Sandbox> informer = everywhere != null ? everywhere : byNamespace.get(namespace);
        return informer == null ? null : informer.getStore().getByKey(namespace + "/" + name);
    }

    private List<SharedIndexInformer<Sandbox>> informers() {
        return everywhere != null ? List.of(everywhere) : List.copyOf(byNamespace.values());
    }

    @Override
    public void close() {
        informers().forEach(SharedIndexInformer::close);
    }
}
