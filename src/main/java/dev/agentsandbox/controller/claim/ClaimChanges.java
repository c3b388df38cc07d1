package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.SandboxClaim;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;

/**
 * Which changes of a claim reconcile it: its spec (a new generation), its deletion, and its idle annotations, which a
 * user may add or change at any time (docs/idle.md). Other metadata changes, the controller's own annotation writes
 * among them, and status writes do not.
 */
public class ClaimChanges implements OnUpdateFilter<SandboxClaim> {

    @Override
    public boolean accept(SandboxClaim updated, SandboxClaim old) {
        return !Objects.equals(
                        updated.getMetadata().getGeneration(), old.getMetadata().getGeneration())
                || updated.getMetadata().getDeletionTimestamp() != null
                || !Objects.equals(idle(updated, IdleAnnotations.IDLE_TIMEOUT), idle(old, IdleAnnotations.IDLE_TIMEOUT))
                || !Objects.equals(idle(updated, IdleAnnotations.IDLE_ACTION), idle(old, IdleAnnotations.IDLE_ACTION));
    }

    private static String idle(SandboxClaim claim, String key) {
        return ClaimAnnotations.get(claim, key);
    }
}
