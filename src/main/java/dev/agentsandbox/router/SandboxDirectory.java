package dev.agentsandbox.router;

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
 * allow-listed namespace. Lookups are in-memory map reads, safe on the event loop. The cache holds
 * {@link RoutedSandbox}es: metadata and status, not the Pod template.
 */
public final class SandboxDirectory implements AutoCloseable {

    private final SharedIndexInformer<RoutedSandbox> everywhere;
    private final Map<String, SharedIndexInformer<RoutedSandbox>> byNamespace;
    private volatile boolean synced;

    private SandboxDirectory(
            SharedIndexInformer<RoutedSandbox> everywhere,
            Map<String, SharedIndexInformer<RoutedSandbox>> byNamespace) {
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
        ResourceEventHandler<RoutedSandbox> removal = new ResourceEventHandler<>() {
            @Override
            public void onAdd(RoutedSandbox sandbox) {}

            @Override
            public void onUpdate(RoutedSandbox previous, RoutedSandbox sandbox) {}

            @Override
            public void onDelete(RoutedSandbox sandbox, boolean finalStateUnknown) {
                onRemoved.accept(sandbox.getMetadata().getNamespace() + "/"
                        + sandbox.getMetadata().getName());
            }
        };
        List<String> allowed =
                namespaces.orElse(List.of()).stream().filter(n -> !n.isBlank()).toList();
        if (allowed.isEmpty()) {
            SharedIndexInformer<RoutedSandbox> informer =
                    client.resources(RoutedSandbox.class).inAnyNamespace().runnableInformer(0);
            informer.addEventHandler(removal);
            return new SandboxDirectory(informer, Map.of());
        }
        Map<String, SharedIndexInformer<RoutedSandbox>> informers = new HashMap<>();
        for (String namespace : allowed) {
            SharedIndexInformer<RoutedSandbox> informer =
                    client.resources(RoutedSandbox.class).inNamespace(namespace).runnableInformer(0);
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
    public RoutedSandbox find(String namespace, String name) {
        SharedIndexInformer<RoutedSandbox> informer = everywhere != null ? everywhere : byNamespace.get(namespace);
        return informer == null ? null : informer.getStore().getByKey(namespace + "/" + name);
    }

    private List<SharedIndexInformer<RoutedSandbox>> informers() {
        return everywhere != null ? List.of(everywhere) : List.copyOf(byNamespace.values());
    }

    @Override
    public void close() {
        informers().forEach(SharedIndexInformer::close);
    }
}
