package dev.agentsandbox.client;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxWarmPool;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;

/** The fabric8 mock API server in CRUD mode on loopback, knowing the agent-sandbox kinds (status subresource). */
public final class TestApiServer implements AutoCloseable {

    private final KubernetesMockServer server = new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(List.of(
                    CustomResourceDefinitionContext.fromCustomResourceType(SandboxClaim.class),
                    CustomResourceDefinitionContext.fromCustomResourceType(Sandbox.class),
                    CustomResourceDefinitionContext.fromCustomResourceType(SandboxWarmPool.class))),
            false);

    public TestApiServer() {
        server.init(InetAddress.getLoopbackAddress(), 0);
    }

    /** The API server's address, e.g. for a kubeconfig. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A new client; callers close it (the command-line client closes the one it is given). */
    public KubernetesClient client() {
        return server.createClient();
    }

    @Override
    public void close() {
        server.destroy();
    }
}
