package dev.agentsandbox.controller.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.api.PodTemplate;
import dev.agentsandbox.api.PodTemplateMetadata;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxSpec;
import dev.agentsandbox.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

@QuarkusTest
@WithKubernetesTestServer(crud = true)
class SandboxReconcilerIT {

    @Inject
    KubernetesClient client;

    TestKubelet kubelet;

    @BeforeEach
    void startKubelet() {
        kubelet = new TestKubelet(client).start();
    }

    @AfterEach
    void stopKubelet() {
        kubelet.close();
    }

    @Test
    void sandboxGetsAnOwnedPodAndBecomesReady() {
        Sandbox sandbox = sandbox("alpha");
        sandbox.getMetadata().setLabels(Map.of(Labels.OWNER, "alice"));
        client.resource(sandbox).create();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Sandbox live = client.resources(Sandbox.class).inNamespace("test").withName("alpha").get();
            assertThat(live.getStatus()).isNotNull();
            assertThat(Conditions.isTrue(live.getStatus().getConditions(), Conditions.READY)).isTrue();
            assertThat(live.getStatus().getPodIPs()).hasSize(1);
        });
        Pod pod = client.pods().inNamespace("test").withName("alpha").get();
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(ref -> {
                    assertThat(ref.getKind()).isEqualTo("Sandbox");
                    assertThat(ref.getController()).isTrue();
                });
        assertThat(pod.getMetadata().getLabels())
                .containsEntry(Labels.SANDBOX_NAME_HASH, NameHash.of("alpha"))
                .containsEntry(Labels.OWNER, "alice")
                .containsEntry("app", "agent")
                .doesNotContainKey(Labels.PREFIX + "user-set");
    }

    static Sandbox sandbox(String name) {
        Sandbox sandbox = new Sandbox();
        sandbox.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("test").build());
        SandboxSpec spec = new SandboxSpec();
        PodTemplate template = new PodTemplate();
        PodTemplateMetadata meta = new PodTemplateMetadata();
        meta.setLabels(Map.of("app", "agent", Labels.PREFIX + "user-set", "x"));
        template.setMetadata(meta);
        template.setSpec(new PodSpecBuilder().withContainers(List.of(new ContainerBuilder().withName("agent")
                .withImage("agent-sandbox-agent:test").build())).build());
        spec.setPodTemplate(template);
        sandbox.setSpec(spec);
        return sandbox;
    }
}
