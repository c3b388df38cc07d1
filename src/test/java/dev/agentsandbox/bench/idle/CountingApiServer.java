package dev.agentsandbox.bench.idle;

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
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A router's Kubernetes API for the benchmark: the fabric8 mock API server in CRUD mode on 127.0.0.1, holding
 * {@code count} Ready Sandboxes {@code bench/bench-1..count} of owner alice whose pod IP is the benchmark's backend,
 * and the owner-token Secret with a token for alice. It counts the patch requests on Sandboxes it answers (the
 * router's only writes: activity and wakes), so that the writes are counted where they arrive, not where they are
 * sent.
 */
final class CountingApiServer implements AutoCloseable {

    static final String NAMESPACE = "bench";
    /** The mock logs each request it answers at INFO: thousands of lines per benchmark, on the cores measured. */
    private static final java.util.logging.Logger MOCK_LOG = quiet("io.fabric8.mockwebserver");

    private final AtomicLong sandboxPatches = new AtomicLong();
    private final AtomicLong sandboxPatchesRefused = new AtomicLong();
    private final KubernetesMockServer server;
    final String aliceToken;

    CountingApiServer(int count, String podIp) {
        KubernetesCrudDispatcher dispatcher =
                new KubernetesCrudDispatcher(
                        List.of(CustomResourceDefinitionContext.fromCustomResourceType(Sandbox.class))) {
                    @Override
                    public MockResponse handlePatch(RecordedRequest request) {
                        MockResponse response = super.handlePatch(request);
                        if (request.getPath().contains("/sandboxes/")) {
                            sandboxPatches.incrementAndGet();
                            if (response.code() >= 300) {
                                sandboxPatchesRefused.incrementAndGet();
                            }
                        }
                        return response;
                    }
                };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient client = server.createClient()) {
            for (int i = 1; i <= count; i++) {
                createReadySandbox(client, "bench-" + i, podIp);
            }
            aliceToken =
                    OwnerTokens.issue(client, OwnerTokens.DEFAULT_NAMESPACE, OwnerTokens.DEFAULT_SECRET_NAME, "alice");
        }
    }

    private static void createReadySandbox(KubernetesClient client, String name, String podIp) {
        Sandbox sandbox = new Sandbox();
        sandbox.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(NAMESPACE)
                .withLabels(Map.of(Labels.OWNER, "alice"))
                .build());
        Sandbox created = client.resource(sandbox).create();
        SandboxStatus status = new SandboxStatus();
        status.setConditions(
                Conditions.with(null, Conditions.READY, true, Conditions.DEPENDENCIES_READY, "", 1L, Instant.now()));
        status.setPodIPs(List.of(podIp));
        created.setStatus(status);
        client.resource(created).updateStatus();
    }

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** Patch requests on Sandboxes answered so far, whatever the answer. */
    long sandboxPatches() {
        return sandboxPatches.get();
    }

    /** Of those, the ones refused (a conflict, for instance). */
    long sandboxPatchesRefused() {
        return sandboxPatchesRefused.get();
    }

    @Override
    public void close() {
        server.destroy();
    }
}
