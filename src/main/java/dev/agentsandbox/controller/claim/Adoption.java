package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.AdditionalPodMetadata;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.controller.ApiOutcomes;
import dev.agentsandbox.controller.MergePatch;
import dev.agentsandbox.controller.ObjectKey;
import dev.agentsandbox.controller.Ownership;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Sandbox side of a warm adoption, the write that decides between claims: the member gets the claim as owner and
 * the claim's labels. It is a merge patch carrying the resourceVersion that was read, so a concurrent writer makes it
 * fail with a conflict instead of being overwritten; after a conflict the member is read afresh and the decision taken
 * again. The claim's status records the adoption next ({@link ClaimCommits}).
 */
final class Adoption {

    enum Outcome {
        /** The Sandbox is now the claim's (or already was). */
        ADOPTED,
        /** Another claim or controller owns it: the claim really lost. */
        LOST,
        /** It was deleted, or is being deleted. */
        GONE
    }

    record Result(Outcome outcome, Sandbox sandbox, String detail) {}

    private static final List<String> POD_TEMPLATE_LABELS = List.of("spec", "podTemplate", "metadata", "labels");
    private static final List<String> POD_TEMPLATE_ANNOTATIONS =
            List.of("spec", "podTemplate", "metadata", "annotations");

    private final KubernetesClient client;

    Adoption(KubernetesClient client) {
        this.client = client;
    }

    /** Takes the pool member {@code name} for the claim. {@code cached} may be stale or null. */
    Result adopt(SandboxClaim claim, String name, Sandbox cached) {
        String namespace = claim.getMetadata().getNamespace();
        AtomicReference<Sandbox> known = new AtomicReference<>(cached);
        return ApiOutcomes.retryOnConflict(
                ClaimAnnotations.ATTEMPTS, "claim " + ObjectKey.of(claim) + ": sandbox " + name, () -> {
                    Sandbox current = known.getAndSet(null);
                    if (current == null) {
                        current = client.resources(Sandbox.class)
                                .inNamespace(namespace)
                                .withName(name)
                                .get();
                    }
                    Result decided = decide(claim, namespace + "/" + name, current);
                    if (decided != null) {
                        return decided;
                    }
                    Sandbox member = current;
                    return ApiOutcomes.unlessGone(() -> adoption(member, claim).apply(client, member))
                            .map(s -> new Result(Outcome.ADOPTED, s, null))
                            .orElseGet(() -> new Result(
                                    Outcome.GONE, null, "sandbox " + namespace + "/" + name + " was deleted"));
                });
    }

    /** What the live {@code sandbox} (null: not found) leaves to decide; null when it is free to adopt. */
    static Result decide(SandboxClaim claim, String sandboxKey, Sandbox sandbox) {
        if (sandbox == null) {
            return new Result(Outcome.GONE, null, "sandbox " + sandboxKey + " no longer exists");
        }
        if (ClaimedSandboxes.controlledBy(sandbox, claim)) {
            return new Result(Outcome.ADOPTED, sandbox, null);
        }
        OwnerReference owner = Ownership.controllerOf(sandbox).orElse(null);
        if (owner != null && !SandboxWarmPool.KIND.equals(owner.getKind())) {
            return new Result(
                    Outcome.LOST,
                    sandbox,
                    "sandbox " + sandboxKey + " is already owned by " + owner.getKind() + " " + owner.getName());
        }
        if (sandbox.getMetadata().getDeletionTimestamp() != null) {
            return new Result(Outcome.GONE, sandbox, "sandbox " + sandboxKey + " is being deleted");
        }
        return null;
    }

    /**
     * The write that makes the member the claim's: pool label and pool owner removed, the claim as controller,
     * {@code launch-type=warm}, {@code claim-uid}, the pod-name annotation pinned to the live Pod's name (so it is
     * relabelled, not recreated), the owner label and the claim's additional Pod metadata. The template labels stay:
     * the template's NetworkPolicy selects on them. It is locked to the member's resourceVersion.
     */
    static MergePatch adoption(Sandbox member, SandboxClaim claim) {
        Map<String, String> labels = member.getMetadata().getLabels() == null
                ? new HashMap<>()
                : new HashMap<>(member.getMetadata().getLabels());
        labels.remove(Labels.WARM_POOL_SANDBOX);
        labels.put(Labels.LAUNCH_TYPE, Labels.LAUNCH_TYPE_WARM);
        labels.put(Labels.CLAIM_UID, claim.getMetadata().getUid());
        String owner = ClaimedSandboxes.owner(claim);
        if (owner != null) {
            labels.put(Labels.OWNER, owner);
        }
        Map<String, String> annotations = member.getMetadata().getAnnotations() == null
                ? new HashMap<>()
                : new HashMap<>(member.getMetadata().getAnnotations());
        annotations.putIfAbsent(Labels.POD_NAME, member.getMetadata().getName());
        List<OwnerReference> refs = new ArrayList<>();
        if (member.getMetadata().getOwnerReferences() != null) {
            member.getMetadata().getOwnerReferences().stream()
                    .filter(r -> !SandboxWarmPool.KIND.equals(r.getKind()) && !Boolean.TRUE.equals(r.getController()))
                    .forEach(refs::add);
        }
        refs.add(ClaimedSandboxes.ownerReference(claim));
        MergePatch patch = MergePatch.locked(member)
                .labels(labels)
                .annotations(annotations)
                .ownerReferences(refs);
        AdditionalPodMetadata extra = claim.getSpec().getAdditionalPodMetadata();
        if (extra != null) {
            patch.put(POD_TEMPLATE_LABELS, extra.getLabels()).put(POD_TEMPLATE_ANNOTATIONS, extra.getAnnotations());
        }
        return patch;
    }
}
