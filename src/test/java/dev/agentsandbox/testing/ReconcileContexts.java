package dev.agentsandbox.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ResourceOperations;
import io.javaoperatorsdk.operator.processing.event.EventSourceRetriever;
import io.javaoperatorsdk.operator.processing.event.source.informer.ManagedInformerEventSource;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/** Reconcile contexts built by hand, for calling a reconciler or a status write outside a running operator. */
public final class ReconcileContexts {

    private ReconcileContexts() {}

    /**
     * A context whose caches hold exactly {@code cached} (empty: not synced yet) and whose writes go to the API server
     * through {@code client}, without a cache to keep them in.
     */
    @SuppressWarnings("unchecked")
    public static <P extends HasMetadata> Context<P> writingThrough(KubernetesClient client, List<HasMetadata> cached) {
        ClassLoader loader = ReconcileContexts.class.getClassLoader();
        return (Context<P>) Proxy.newProxyInstance(
                loader, new Class<?>[] {Context.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "resourceOperations" -> new ResourceOperations<>((Context<P>) proxy) {
                        @Override
                        public <R extends HasMetadata> R resourcePatch(
                                R resource, UnaryOperator<R> write, ManagedInformerEventSource<R, P, ?> cache) {
                            return write.apply(resource);
                        }
                    };
                    case "eventSourceRetriever" -> Proxy.newProxyInstance(
                            loader, new Class<?>[] {EventSourceRetriever.class}, (p, m, a) -> null);
                    case "getSecondaryResources" -> Set.copyOf(cached.stream()
                            .filter(o -> ((Class<?>) args[0]).isInstance(o))
                            .toList());
                    case "getSecondaryResourcesAsStream" -> cached.stream()
                            .filter(o -> ((Class<?>) args[0]).isInstance(o));
                    case "getRetryInfo" -> Optional.empty();
                    case "getClient" -> client;
                    case "getPrimaryCache" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
