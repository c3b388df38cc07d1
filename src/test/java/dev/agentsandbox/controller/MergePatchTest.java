package dev.agentsandbox.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MergePatchTest {

    private static final Pod READ = new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .withNamespace("ns")
            .withUid("uid-1")
            .withResourceVersion("42")
            .withLabels(Map.of("kept", "a", "changed", "old", "removed", "x"))
            .endMetadata()
            .build();

    @Test
    void onlyTheKeysThatChangeAreSentAndRemovedKeysAreNull() {
        JsonNode patch = json(MergePatch.of(READ).labels(Map.of("kept", "a", "changed", "new", "added", "y")));

        JsonNode labels = patch.path("metadata").path("labels");
        assertThat(labels.has("kept")).isFalse();
        assertThat(labels.path("changed").asText()).isEqualTo("new");
        assertThat(labels.path("added").asText()).isEqualTo("y");
        assertThat(labels.get("removed").isNull()).isTrue();
        assertThat(patch.path("metadata").path("uid").asText()).isEqualTo("uid-1");
        assertThat(patch.path("metadata").has("resourceVersion"))
                .as("not locked")
                .isFalse();
    }

    @Test
    void aLockedPatchCarriesTheResourceVersionThatWasRead() {
        MergePatch patch = MergePatch.locked(READ).annotations(Map.of("a", "1"));

        assertThat(json(patch).path("metadata").path("resourceVersion").asText())
                .isEqualTo("42");
        assertThat(patch.changes()).isTrue();
    }

    @Test
    void theSameMapsChangeNothing() {
        MergePatch patch =
                MergePatch.of(READ).labels(READ.getMetadata().getLabels()).annotations(null);

        assertThat(patch.changes()).isFalse();
        assertThat(json(patch).path("metadata").has("labels")).isFalse();
    }

    @Test
    void entriesArePutAtANestedPath() {
        JsonNode patch = json(MergePatch.of(READ)
                .put(List.of("spec", "template", "labels"), Map.of("team", "blue"))
                .put(List.of("spec", "template", "annotations"), Map.of("note", "x")));

        assertThat(patch.path("spec")
                        .path("template")
                        .path("labels")
                        .path("team")
                        .asText())
                .isEqualTo("blue");
        assertThat(patch.path("spec")
                        .path("template")
                        .path("annotations")
                        .path("note")
                        .asText())
                .isEqualTo("x");
    }

    private static JsonNode json(MergePatch patch) {
        return Serialization.unmarshal(patch.json(), JsonNode.class);
    }
}
