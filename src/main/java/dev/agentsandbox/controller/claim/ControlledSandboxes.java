package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.controller.ApiOutcomes;
import dev.agentsandbox.controller.EventRecorder;
import dev.agentsandbox.controller.ObjectKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The Sandboxes a claim controls, read against the one it records (docs/api.md, adoption): what a warm adoption leaves
 * when the controller stops between the adoption and the claim's status, or when two reconciles of one claim, on a
 * stale copy of it across a restart, both adopted a member.
 */
final class ControlledSandboxes {

    static final String SURPLUS_SANDBOX_DELETED = "SurplusSandboxDeleted";

    private final KubernetesClient client;
    private final ClaimSources sources;
    private final EventRecorder events;

    ControlledSandboxes(KubernetesClient client, ClaimSources sources, EventRecorder events) {
        this.client = client;
        this.sources = sources;
        this.events = events;
    }

    /**
     * A Sandbox the claim controls though the claim records none: adopted by a controller that stopped before it wrote
     * the claim's status. The claim keeps it.
     */
    Optional<Sandbox> unrecorded(SandboxClaim claim) {
        return controlledBy(claim, s -> true).findFirst();
    }

    /**
     * Deletes the other Sandboxes the claim controls, once the claim at hand records {@code bound}: each was adopted by
     * a reconcile that lost the race to record it, and no client was ever told its name. The pool refills.
     */
    void releaseSurplus(SandboxClaim claim, String bound) {
        if (!bound.equals(ClaimCommits.recorded(claim))) {
            return;
        }
        String namespace = claim.getMetadata().getNamespace();
        controlledBy(claim, s -> !bound.equals(s.getMetadata().getName()))
                .toList()
                .forEach(surplus -> {
                    String name = surplus.getMetadata().getName();
                    ApiOutcomes.unlessGone(() -> client.resources(Sandbox.class)
                            .inNamespace(namespace)
                            .withName(name)
                            .delete());
                    events.warning(
                            claim,
                            SURPLUS_SANDBOX_DELETED,
                            "claim " + ObjectKey.of(claim) + ": deleted sandbox " + name
                                    + ", adopted by a reconcile that lost the race to record it; the claim keeps "
                                    + bound);
                });
    }

    /** The cached Sandboxes, not being deleted, that the claim controls and {@code which} accepts. */
    private Stream<Sandbox> controlledBy(SandboxClaim claim, Predicate<Sandbox> which) {
        return sources.sandboxes(
                claim.getMetadata().getNamespace(),
                s -> ClaimedSandboxes.controlledBy(s, claim)
                        && s.getMetadata().getDeletionTimestamp() == null
                        && which.test(s));
    }
}
