package dev.agentsandbox.controller.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.PodTemplateMetadata;
import dev.agentsandbox.api.Sandbox;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandboxPodMetadataTest {

    @Test
    void removesExactlyTheKeysItPropagatedBefore() {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("drift");
        sandbox.getMetadata().setLabels(new HashMap<>(Map.of(Labels.WARM_POOL_SANDBOX, "abc", Labels.OWNER, "alice")));
        PodTemplateMetadata meta = new PodTemplateMetadata();
        meta.setLabels(new HashMap<>(Map.of("app", "agent", "tier", "gold")));
        meta.setAnnotations(new HashMap<>(Map.of("note", "one")));
        sandbox.getSpec().getPodTemplate().setMetadata(meta);
        Pod pod = SandboxPods.desired(sandbox);
        ObjectMeta live = pod.getMetadata();
        // Others' keys on the live Pod must survive.
        live.getLabels().put("kubelet.example/other", "x");
        live.getAnnotations().put("webhook.example/injected", "y");

        meta.getLabels().remove("tier");
        meta.getAnnotations().clear();
        sandbox.getMetadata().getLabels().remove(Labels.WARM_POOL_SANDBOX);
        sandbox.getMetadata().getLabels().put(Labels.CLAIM_UID, "uid-1");

        assertThat(SandboxPodMetadata.of(sandbox).applyTo(live)).isTrue();
        assertThat(live.getLabels())
                .containsEntry("app", "agent")
                .containsEntry(Labels.OWNER, "alice")
                .containsEntry(Labels.CLAIM_UID, "uid-1")
                .containsEntry("kubelet.example/other", "x")
                .containsKey(Labels.SANDBOX_NAME_HASH)
                .doesNotContainKeys("tier", Labels.WARM_POOL_SANDBOX);
        assertThat(live.getAnnotations())
                .containsEntry("webhook.example/injected", "y")
                .doesNotContainKey("note")
                .containsEntry(
                        SandboxPodMetadata.PROPAGATED_LABELS, "agents.x-k8s.io/claim-uid,agents.x-k8s.io/owner,app");
        assertThat(SandboxPodMetadata.of(sandbox).applyTo(live))
                .as("second pass changes nothing")
                .isFalse();
    }
}
