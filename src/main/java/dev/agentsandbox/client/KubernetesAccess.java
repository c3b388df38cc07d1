package dev.agentsandbox.client;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;

/** How the command-line client reaches the Kubernetes API; the caller closes the client it gets. */
@FunctionalInterface
public interface KubernetesAccess {

    /** A client for {@code context} of the kubeconfig, or its current context when null. */
    KubernetesClient connect(String context);

    /** Like kubectl: {@code KUBECONFIG} (or {@code ~/.kube/config}), its current context, or in-cluster config. */
    static KubernetesAccess kubeconfig() {
        return context -> {
            Config config = Config.autoConfigure(context);
            // fabric8 retries a refused connection for half a minute; a command-line user wants to know at once,
            // as kubectl tells them.
            config.setRequestRetryBackoffLimit(1);
            // Its own Vert.x, not the one Quarkus manages: on Ctrl-C Quarkus closes its Vert.x while the shutdown
            // hook still has a claim to delete.
            return new KubernetesClientBuilder()
                    .withHttpClientFactory(new VertxHttpClientFactory())
                    .withConfig(config)
                    .build();
        };
    }
}
