package dev.agentsandbox.compat;

import dev.agentsandbox.local.controlplane.ControlPlane;
import dev.agentsandbox.testing.RealControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link WatchOrderCompat} against the real control plane of the test tier (skipped where it is not built). */
@ExtendWith(RealControlPlane.class)
class WatchOrderCompatOnKubeIT extends WatchOrderCompat {

    @BeforeAll
    static void namespace() {
        try (KubernetesClient client = RealControlPlane.get().client(NAMESPACE)) {
            RealControlPlane.namespace(client, NAMESPACE);
        }
    }

    @Override
    ControlPlane plane() {
        return RealControlPlane.get();
    }
}
