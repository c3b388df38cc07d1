package dev.agentsandbox.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class CreateOrAdoptTest {
    KubernetesClient client;

    private static ConfigMap desired(String value) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName("owned")
                .withNamespace("ns")
                .endMetadata()
                .withData(Map.of("k", value))
                .build();
    }

    @Test
    void aNewObjectIsCreatedAndTheDecisionIsNotAsked() {
        CreateOrAdopt.Result<ConfigMap> result = CreateOrAdopt.create(client, desired("new"), live -> {
            throw new AssertionError("nothing existed");
        });

        assertThat(result.created()).isTrue();
        assertThat(client.configMaps().inNamespace("ns").withName("owned").get().getData())
                .containsEntry("k", "new");
    }

    @Test
    void anExistingObjectGoesToTheOwnersDecisionWithItsLiveContent() {
        client.resource(desired("live")).create();

        CreateOrAdopt.Result<ConfigMap> result = CreateOrAdopt.create(client, desired("wanted"), live -> live);

        assertThat(result.created()).isFalse();
        assertThat(result.object().getData()).containsEntry("k", "live");
    }

    @Test
    void aRefusedObjectLeavesNoResult() {
        client.resource(desired("someone else's")).create();

        CreateOrAdopt.Result<ConfigMap> result = CreateOrAdopt.create(client, desired("wanted"), live -> null);

        assertThat(result.object()).isNull();
        assertThat(result.created()).isFalse();
    }
}
