package dev.agentsandbox.controller.claim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.SandboxClaim;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimChangesTest {

    final ClaimChanges changes = new ClaimChanges();
    final SandboxClaim old = claim(Map.of(Labels.SANDBOX_NAME, "s"));

    @Test
    void aNewGenerationOrADeletionReconciles() {
        SandboxClaim updated = Serialization.clone(old);
        updated.getMetadata().setGeneration(2L);
        assertThat(changes.accept(updated, old)).isTrue();
        SandboxClaim deleted = Serialization.clone(old);
        deleted.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        assertThat(changes.accept(deleted, old)).isTrue();
    }

    @Test
    void theIdleAnnotationsReconcileOtherMetadataDoesNot() {
        SandboxClaim timeout = Serialization.clone(old);
        timeout.getMetadata().getAnnotations().put(IdleAnnotations.IDLE_TIMEOUT, "5m");
        assertThat(changes.accept(timeout, old)).isTrue();
        SandboxClaim action = Serialization.clone(timeout);
        action.getMetadata().getAnnotations().put(IdleAnnotations.IDLE_ACTION, "Delete");
        assertThat(changes.accept(action, timeout)).isTrue();

        SandboxClaim stamped = Serialization.clone(old);
        stamped.getMetadata().getAnnotations().put(Labels.CLAIM_FIRST_READY_AT, "2026-01-01T00:00:00Z");
        stamped.getMetadata().setResourceVersion("2");
        assertThat(changes.accept(stamped, old))
                .as("the controller's own stamp")
                .isFalse();
    }

    static SandboxClaim claim(Map<String, String> annotations) {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        claim.getMetadata().setAnnotations(new HashMap<>(annotations));
        claim.getMetadata().setResourceVersion("1");
        return claim;
    }
}
