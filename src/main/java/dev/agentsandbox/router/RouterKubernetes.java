package dev.agentsandbox.router;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The router's own API client, for its two watches (Sandboxes and the owner-token Secret). It knows only the two
 * kinds it reads: the application's shared client registers every kind of the Kubernetes model and shares the
 * application's JSON mapper, whose set-up loads classes (the agent's, the controller's) a router never uses. Same
 * connection settings as the shared client.
 */
public final class RouterKubernetes {

    private RouterKubernetes() {}

    public static KubernetesClient client(Config config) {
        // Fields this build does not know (a status written by a newer controller) are skipped, as the shared
        // client's mapper does; a watch that failed on them would leave the router's cache stale.
        ObjectMapper mapper = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        // false: do not scan the class path for model classes; only the two kinds below are read
        KubernetesSerialization serialization = new KubernetesSerialization(mapper, false);
        serialization.registerKubernetesResource(RoutedSandbox.class);
        serialization.registerKubernetesResource(Secret.class);
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withKubernetesSerialization(serialization)
                .build();
    }
}
