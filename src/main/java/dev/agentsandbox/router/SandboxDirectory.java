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

    /** What the router does when a cached Sandbox changes; called on the informer's thread, never an event loop. */
    public interface Listener {

        /** {@code sandbox} was added or changed. */
        default void changed(RoutedSandbox sandbox) {}

        /** The Sandbox {@code namespace/name} disappeared. */
        void removed(String sandbox);
    }

    /**
     * Creates (without starting) the informers.
     *
     * @param namespaces the allow-list; empty for every namespace
     * @param listener told of every change
     */
    public static SandboxDirectory create(
            KubernetesClient client, Optional<List<String>> namespaces, Listener listener) {
        ResourceEventHandler<RoutedSandbox> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(RoutedSandbox sandbox) {
                listener.changed(sandbox);
            }

            @Override
            public void onUpdate(RoutedSandbox previous, RoutedSandbox sandbox) {
                listener.changed(sandbox);
            }

            @Override
            public void onDelete(RoutedSandbox sandbox, boolean finalStateUnknown) {
                listener.removed(sandbox.key());
            }
        };
        List<String> allowed =
                namespaces.orElse(List.of()).stream().filter(n -> !n.isBlank()).toList();
        if (allowed.isEmpty()) {
            SharedIndexInformer<RoutedSandbox> informer =
                    client.resources(RoutedSandbox.class).inAnyNamespace().runnableInformer(0);
            informer.addEventHandler(handler);
            return new SandboxDirectory(informer, Map.of());
        }
        Map<String, SharedIndexInformer<RoutedSandbox>> informers = new HashMap<>();
        for (String namespace : allowed) {
            SharedIndexInformer<RoutedSandbox> informer =
                    client.resources(RoutedSandbox.class).inNamespace(namespace).runnableInformer(0);
            informer.addEventHandler(handler);
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

    /** The cached Sandbox {@code namespace/name}, or null. */
    public RoutedSandbox find(String key) {
        int slash = key.indexOf('/');
        return find(key.substring(0, slash), key.substring(slash + 1));
    }

    private List<SharedIndexInformer<RoutedSandbox>> informers() {
        return everywhere != null ? List.of(everywhere) : List.copyOf(byNamespace.values());
    }

    @Override
    public void close() {
        informers().forEach(SharedIndexInformer::close);
    }
}
