package dev.agentsandbox.testing;

import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.Sandbox;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;

/**
 * The router's writes on a Sandbox (docs/idle.md), for tests of the controller's side that play the router: the
 * activity annotation, and the wake, one merge patch of operatingMode Running with fresh activity.
 */
public final class RouterWrites {

    private RouterWrites() {}

    public static void activity(KubernetesClient client, String namespace, String sandbox, Instant at) {
        patch(client, namespace, sandbox, at, "");
    }

    public static void wake(KubernetesClient client, String namespace, String sandbox) {
        patch(client, namespace, sandbox, Instant.now(), ",\"spec\":{\"operatingMode\":\"Running\"}");
    }

    private static void patch(KubernetesClient client, String namespace, String sandbox, Instant at, String more) {
        client.resources(Sandbox.class)
                .inNamespace(namespace)
                .withName(sandbox)
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"annotations\":{\"" + IdleAnnotations.LAST_ACTIVITY + "\":\""
                                + IdleAnnotations.activity(at) + "\"}}" + more + "}");
    }
}
