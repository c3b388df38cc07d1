package dev.agentsandbox.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxWarmPool;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generated CRDs and manifests, then the kata-aks example, created on the test API server (the fabric8 CRUD
 * mock, on loopback) and read back unchanged: what `kubectl apply` of the same files does first on a cluster.
 * The mock does not validate against the schemas; {@link CrdSchemaIT} covers that.
 */
class ExamplesOnTestApiServerIT {

    static final Path REPO = Path.of("").toAbsolutePath();

    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(List.of()), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void crdsManifestsAndExampleAreCreatedAndReadBack() {
        for (String crd : List.of(
                "sandboxes.agents.x-k8s.io",
                "sandboxtemplates.extensions.agents.x-k8s.io",
                "sandboxwarmpools.extensions.agents.x-k8s.io",
                "sandboxclaims.extensions.agents.x-k8s.io")) {
            var doc = StrictModel.documents(REPO.resolve("target/kubernetes/" + crd + "-v1.yml"))
                    .get(0);
            client.resource((CustomResourceDefinition) StrictModel.read(doc)).create();
            assertThat(client.apiextensions()
                            .v1()
                            .customResourceDefinitions()
                            .withName(crd)
                            .get())
                    .isNotNull();
        }
        for (JsonNode doc : StrictModel.documents(REPO.resolve("target/kubernetes/kubernetes.yml"))) {
            createAndReadBack(doc);
        }
        for (String file : List.of(
                "namespace.yaml", "secret.example.yaml", "sandbox-template.yaml", "warm-pool.yaml", "claim.yaml")) {
            createAndReadBack(StrictModel.documents(REPO.resolve("deploy/kata-aks/" + file))
                    .get(0));
        }

        String ns = "sandbox-agent-demo";
        assertThat(client.resources(SandboxTemplate.class)
                        .inNamespace(ns)
                        .withName("kata-aks-template")
                        .get()
                        .getSpec()
                        .getPodTemplate()
                        .getSpec()
                        .getRuntimeClassName())
                .isEqualTo("kata-vm-isolation");
        assertThat(client.resources(SandboxWarmPool.class)
                        .inNamespace(ns)
                        .withName("kata-aks-warmpool")
                        .get()
                        .getSpec()
                        .getReplicas())
                .isEqualTo(3);
        assertThat(client.resources(SandboxClaim.class)
                        .inNamespace(ns)
                        .withName("my-aks-agent")
                        .get()
                        .getSpec()
                        .getWarmPoolRef()
                        .getName())
                .isEqualTo("kata-aks-warmpool");
    }

    /** Creates one object and compares what the server returns, minus the fields the server adds. */
    void createAndReadBack(JsonNode doc) {
        HasMetadata object = StrictModel.read(doc);
        client.resource(object).create();
        HasMetadata back = client.resource(object).get();
        assertThat(back)
                .as(
                        "%s %s read back",
                        doc.path("kind").asText(),
                        doc.path("metadata").path("name").asText())
                .isNotNull();
        JsonNode tree = StrictModel.YAML.valueToTree(back);
        var metadata = (com.fasterxml.jackson.databind.node.ObjectNode) tree.get("metadata");
        metadata.remove(List.of("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields"));
        assertThat(StrictModel.normalised(tree)).isEqualTo(StrictModel.normalised(doc));
    }
}
