package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The router's own API client reads Sandboxes as {@link RoutedSandbox}: metadata and status, and of the spec only
 * {@code operatingMode}, never the Pod template.
 */
class RouterKubernetesTest {

    private static final String WATCH_EVENT =
            """
            {"type": "MODIFIED", "object": {
              "apiVersion": "agents.x-k8s.io/v1beta1", "kind": "Sandbox",
              "metadata": {"name": "s1", "namespace": "demo", "resourceVersion": "7",
                           "labels": {"agents.x-k8s.io/owner": "alice"}},
              "spec": {"podTemplate": {"spec": {"containers": [{"name": "agent", "image": "agent:1",
                        "ports": [{"containerPort": 8080}]}]}}, "replicas": 1,
                       "operatingMode": "Suspended"},
              "status": {"podIPs": ["10.0.0.7"], "serviceFQDN": "s1.demo.svc.cluster.local",
                         "conditions": [{"type": "Ready", "status": "True", "reason": "DependenciesReady",
                                         "lastTransitionTime": "2026-11-29T00:00:00Z"}],
                         "someFieldOfALaterVersion": 1}
            }}""";

    @Test
    void aWatchEventOfASandboxIsReadAsARoutedSandboxWithoutItsPodTemplate() {
        try (KubernetesClient client = RouterKubernetes.client(
                new ConfigBuilder().withMasterUrl("http://127.0.0.1:1").build())) {
            // the watch reads each event this way (as WatchEvent, whose object is looked up by apiVersion and kind)
            WatchEvent event = client.getKubernetesSerialization().unmarshal(WATCH_EVENT, WatchEvent.class);
            assertThat(event.getObject()).isInstanceOf(RoutedSandbox.class);
            RoutedSandbox sandbox = (RoutedSandbox) event.getObject();
            assertThat(sandbox.getMetadata().getLabels()).containsEntry(Labels.OWNER, "alice");
            assertThat(sandbox.getMetadata().getResourceVersion()).isEqualTo("7");
            assertThat(sandbox.getStatus().getPodIPs()).containsExactly("10.0.0.7");
            assertThat(Conditions.isTrue(sandbox.getStatus().getConditions(), Conditions.READY))
                    .isTrue();
            // nothing of the spec is kept but whether it should run
            assertThat(client.getKubernetesSerialization().asJson(sandbox)).doesNotContain("podTemplate", "agent:1");
            assertThat(sandbox.suspended()).isTrue();
        }
    }

    @Test
    void theRoutersCacheHoldsSandboxesWithAFullSpecAsMetadataAndStatus() throws Exception {
        try (RouterFixture fixture = new RouterFixture(Map.of("sandbox.router.allow-unauthenticated", "true"));
                InputStream yaml = getClass().getResourceAsStream("/golden/sandbox/basic/in-Sandbox.yaml")) {
            Sandbox sandbox = fixture.client.getKubernetesSerialization().unmarshal(yaml, Sandbox.class);
            sandbox.getMetadata().setUid(null);
            Sandbox created = fixture.client.resource(sandbox).create();
            assertThat(created.getSpec().getPodTemplate()).isNotNull();
            // listed: present with labels, no status yet
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> fixture.directory.find("demo", "basic") != null);
            assertThat(fixture.directory.find("demo", "basic").getMetadata().getLabels())
                    .containsEntry(Labels.OWNER, "alice");
            // watched: a status update reaches the cache
            SandboxStatus status = new SandboxStatus();
            status.setPodIPs(List.of("10.0.0.9"));
            status.setConditions(Conditions.with(
                    null, Conditions.READY, true, Conditions.DEPENDENCIES_READY, "", 1L, Instant.now()));
            created.setStatus(status);
            fixture.client.resource(created).updateStatus();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                RoutedSandbox cached = fixture.directory.find("demo", "basic");
                return cached.getStatus() != null
                        && List.of("10.0.0.9").equals(cached.getStatus().getPodIPs());
            });
            // and the route comes from it, the owner check included
            SandboxRoute route = fixture.sandboxes
                    .routes()
                    .resolve(new SandboxAddress("demo", "basic", 8080, null, 1000), new Caller("alice"));
            assertThat(route.host()).isEqualTo("10.0.0.9");
            assertThat(route.owner()).isEqualTo("alice");
            assertThatThrownBy(() -> fixture.sandboxes
                            .routes()
                            .resolve(new SandboxAddress("demo", "basic", 8080, null, 1000), new Caller("bob")))
                    .isInstanceOf(RouteRejection.class)
                    .hasMessageContaining("does not belong to owner bob");
        }
    }
}
