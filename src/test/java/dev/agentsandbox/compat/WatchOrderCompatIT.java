package dev.agentsandbox.compat;

import dev.agentsandbox.local.apiserver.EmbeddedApiServer;
import dev.agentsandbox.local.controlplane.ControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link WatchOrderCompat} against local mode's default API, the embedded API server. */
class WatchOrderCompatIT extends WatchOrderCompat {

    static EmbeddedApiServer server;

    @BeforeAll
    static void start() throws Exception {
        server = EmbeddedApiServer.start();
        try (KubernetesClient client = server.client(NAMESPACE)) {
            server.applyCrds(client, Path.of("target", "kubernetes"));
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    ControlPlane plane() {
        return server;
    }
}
