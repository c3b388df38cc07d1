package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.ClaimShutdownPolicy;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.ObjectKey;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;

/**
 * What an expired claim's shutdownPolicy does ({@link ClaimExpiry} says when): Delete and DeleteForeground delete the
 * claim, Retain deletes only its Sandbox and keeps the claim to show that it expired.
 */
final class ClaimShutdown {

    private final KubernetesClient client;
    private final EventRecorder events;

    ClaimShutdown(KubernetesClient client, EventRecorder events) {
        this.client = client;
        this.events = events;
    }

    /**
     * Applies the policy to the claim that expired {@code at}; {@code sandbox} is its cached Sandbox (may be null).
     * True when the claim stays (Retain).
     */
    boolean shutDown(SandboxClaim claim, String committed, Sandbox sandbox, Instant at) {
        ClaimShutdownPolicy policy = policy(claim);
        boolean alreadyExpired = claim.getStatus() != null
                && Conditions.find(claim.getStatus().getConditions(), Conditions.READY)
                        .map(c -> Conditions.CLAIM_EXPIRED.equals(c.getReason()))
                        .orElse(false);
        if (!alreadyExpired) {
            events.normal(
                    claim,
                    Conditions.CLAIM_EXPIRED,
                    "claim " + ObjectKey.of(claim) + " expired at " + at + "; shutdownPolicy " + policy.value());
        }
        switch (policy) {
            case DELETE -> client.resource(claim)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                    .delete();
            case DELETE_FOREGROUND -> client.resource(claim)
                    .withPropagationPolicy(DeletionPropagation.FOREGROUND)
                    .delete();
            case RETAIN -> deleteSandbox(claim, committed, sandbox);
        }
        return policy == ClaimShutdownPolicy.RETAIN;
    }

    private void deleteSandbox(SandboxClaim claim, String committed, Sandbox cached) {
        Sandbox sandbox = cached;
        if (sandbox == null && committed != null) {
            sandbox = client.resources(Sandbox.class)
                    .inNamespace(claim.getMetadata().getNamespace())
                    .withName(committed)
                    .get();
        }
        if (sandbox != null && ClaimedSandboxes.controlledBy(sandbox, claim)) {
            client.resource(sandbox).delete();
        }
    }

    static ClaimShutdownPolicy policy(SandboxClaim claim) {
        ClaimShutdownPolicy policy = claim.getSpec().getLifecycle().getShutdownPolicy();
        return policy == null ? ClaimShutdownPolicy.RETAIN : policy;
    }
}
