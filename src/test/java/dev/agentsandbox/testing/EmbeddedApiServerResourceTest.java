package dev.agentsandbox.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.local.apiserver.ApiFault;
import dev.agentsandbox.local.apiserver.ApiFaults;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The application under test talks to the embedded API server, with the generated CRDs and their schemas. */
@QuarkusTest
@WithEmbeddedApiServer
@TestProfile(EmbeddedApiServerResourceTest.ClientRole.class)
class EmbeddedApiServerResourceTest {

    @Inject
    KubernetesClient appClient;

    @EmbeddedApi
    KubernetesClient testClient;

    @EmbeddedApi
    ApiFaults faults;

    @Test
    void theApplicationClientSeesTheCrdsAndTheirSchemas() {
        assertThat(appClient.getMasterUrl().toString())
                .isEqualTo(testClient.getMasterUrl().toString());
        assertThat(appClient
                        .apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .list()
                        .getItems())
                .extracting(c -> c.getMetadata().getName())
                .contains("sandboxes.agents.x-k8s.io", "sandboxwarmpools.extensions.agents.x-k8s.io");
        String badPool =
                """
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxWarmPool
                metadata:
                  name: bad
                spec:
                  replicas: -2
                  sandboxTemplateRef:
                    name: t
                """;
        assertThatThrownBy(() -> appClient.resource(badPool).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.replicas");
                });
        SandboxWarmPool pool = appClient
                .resources(SandboxWarmPool.class)
                .resource(appClient
                        .getKubernetesSerialization()
                        .unmarshal(badPool.replace("-2", "2"), SandboxWarmPool.class))
                .create();
        assertThat(pool.getMetadata().getUid()).isNotBlank();
    }

    @Test
    void faultsReachTheApplicationClient() {
        faults.inject(ApiFault.on("GET", ".*/namespaces/test/configmaps.*")
                .respond(403)
                .times(1));
        assertThatThrownBy(() -> appClient.configMaps().list())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode())
                        .isEqualTo(403));
        assertThat(appClient.configMaps().list().getItems()).isEmpty();
    }

    /** No controllers run here: this test is about the API server, not reconcilers. */
    public static class ClientRole implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sandbox.role", "client");
        }
    }
}
