import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import dev.agentsandbox.owner.token.OwnerTokens;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

/**
 * The benchmark's Kubernetes API: a CRUD mock API server on 127.0.0.1 holding one Ready Sandbox ("bench/bench",
 * owner alice) whose pod IP is the benchmark backend, and the owner-token Secret with a token for alice.
 * Run with the packaged application's classpath (see run.sh):
 *   java -cp 'target/quarkus-app/app/*:target/quarkus-app/lib/main/*' bench/router/BenchApiServer.java OUT_DIR POD_IP
 * Writes OUT_DIR/api-url and OUT_DIR/alice-token, then serves until killed.
 */
public class BenchApiServer {

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        String podIp = args[1];
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of(new CustomResourceDefinitionContext.Builder()
                        .withGroup(Sandbox.GROUP).withVersion(Sandbox.VERSION).withKind(Sandbox.KIND)
                        .withPlural("sandboxes").withScope("Namespaced").withStatusSubresource(true).build())),
                false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        KubernetesClient client = server.createClient();
        Sandbox sandbox = new Sandbox();
        sandbox.setMetadata(new ObjectMetaBuilder().withName("bench").withNamespace("bench")
                .withLabels(Map.of(Labels.OWNER, "alice")).build());
        Sandbox created = client.resources(Sandbox.class).inNamespace("bench").resource(sandbox).create();
        SandboxStatus status = new SandboxStatus();
        status.setConditions(Conditions.with(null, Conditions.READY, true, Conditions.DEPENDENCIES_READY, "", 1L, Instant.now()));
        status.setPodIPs(List.of(podIp));
        created.setStatus(status);
        client.resources(Sandbox.class).inNamespace("bench").resource(created).updateStatus();
        String token = OwnerTokens.issue(client, OwnerTokens.DEFAULT_NAMESPACE, OwnerTokens.DEFAULT_SECRET_NAME, "alice");
        Files.writeString(out.resolve("alice-token"), token);
        Files.writeString(out.resolve("api-url"), "http://127.0.0.1:" + server.getPort());
        System.out.println("bench API server ready on port " + server.getPort());
        Thread.currentThread().join();
    }
}
