package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxWarmPool;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The two writes of a warm adoption, in SPEC's commit order: first the chosen name on the claim (the commit record: a
 * restarted controller finishes what it finds there), then the Sandbox's owner and labels. Both are updates carrying
 * the resourceVersion that was read, so a concurrent writer makes them fail with 409 instead of being overwritten;
 * after a conflict the object is read afresh and the decision taken again.
 */
final class Adoption {

    static final int ATTEMPTS = 5;

    enum Outcome {
        /** The Sandbox is now the claim's (or already was). */
        ADOPTED,
        /** Another claim or controller owns it: the claim really lost. */
        LOST,
        /** It was deleted, or is being deleted. */
        GONE
    }

    record Result(Outcome outcome, Sandbox sandbox, String detail) {}

    private final KubernetesClient client;

    Adoption(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Sets (or with a null value removes) annotations on the claim under an optimistic lock. After a conflict the
     * claim is re-read; {@code stillWanted} sees the fresh claim and may return null to stop (someone else decided).
     */
    SandboxClaim annotate(
            SandboxClaim claim, Map<String, String> annotations, UnaryOperator<SandboxClaim> stillWanted) {
        SandboxClaim current = claim;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            SandboxClaim next = Serialization.clone(current);
            Map<String, String> merged = next.getMetadata().getAnnotations() == null
                    ? new HashMap<>()
                    : new HashMap<>(next.getMetadata().getAnnotations());
            annotations.forEach((k, v) -> {
                if (v == null) {
                    merged.remove(k);
                } else {
                    merged.put(k, v);
                }
            });
            next.getMetadata().setAnnotations(merged);
            try {
                return client.resource(next).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                SandboxClaim fresh = client.resources(SandboxClaim.class)
                        .inNamespace(claim.getMetadata().getNamespace())
                        .withName(claim.getMetadata().getName())
                        .get();
                if (fresh == null
                        || !fresh.getMetadata()
                                .getUid()
                                .equals(claim.getMetadata().getUid())) {
                    throw new KubernetesClientException("claim " + key(claim) + " was deleted meanwhile", e);
                }
                current = stillWanted.apply(fresh);
                if (current == null) {
                    return fresh;
                }
            }
        }
        throw new KubernetesClientException(
                "claim " + key(claim) + ": annotations not written after " + ATTEMPTS + " conflicts");
    }

    /** Takes the pool member {@code name} for the claim. {@code cached} may be stale or null. */
    Result adopt(SandboxClaim claim, String name, Sandbox cached) {
        String namespace = claim.getMetadata().getNamespace();
        Sandbox current = cached;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            if (current == null) {
                current = client.resources(Sandbox.class)
                        .inNamespace(namespace)
                        .withName(name)
                        .get();
                if (current == null) {
                    return new Result(Outcome.GONE, null, "sandbox " + namespace + "/" + name + " no longer exists");
                }
            }
            if (ClaimedSandboxes.controlledBy(current, claim)) {
                return new Result(Outcome.ADOPTED, current, null);
            }
            OwnerReference owner = ClaimedSandboxes.controller(current).orElse(null);
            if (owner != null && !SandboxWarmPool.KIND.equals(owner.getKind())) {
                return new Result(
                        Outcome.LOST,
                        current,
                        "sandbox " + namespace + "/" + name + " is already owned by " + owner.getKind() + " "
                                + owner.getName());
            }
            if (current.getMetadata().getDeletionTimestamp() != null) {
                return new Result(Outcome.GONE, current, "sandbox " + namespace + "/" + name + " is being deleted");
            }
            try {
                return new Result(
                        Outcome.ADOPTED,
                        client.resource(adopted(current, claim)).update(),
                        null);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return new Result(Outcome.GONE, null, "sandbox " + namespace + "/" + name + " was deleted");
                }
                if (e.getCode() != 409) {
                    throw e;
                }
                current = null;
            }
        }
        throw new KubernetesClientException(
                "claim " + key(claim) + ": sandbox " + name + " not adopted after " + ATTEMPTS + " conflicts");
    }

    /**
     * The member as the claim's: pool label and pool owner removed, the claim as controller, {@code launch-type=warm},
     * {@code claim-uid}, the pod-name annotation pinned to the live Pod's name (so it is relabelled, not recreated),
     * the owner label and the claim's additional Pod metadata. The template labels stay: the template's NetworkPolicy
     * selects on them.
     */
    static Sandbox adopted(Sandbox member, SandboxClaim claim) {
        Sandbox next = Serialization.clone(member);
        Map<String, String> labels = next.getMetadata().getLabels() == null
                ? new HashMap<>()
                : new HashMap<>(next.getMetadata().getLabels());
        labels.remove(Labels.WARM_POOL_SANDBOX);
        labels.put(Labels.LAUNCH_TYPE, Labels.LAUNCH_TYPE_WARM);
        labels.put(Labels.CLAIM_UID, claim.getMetadata().getUid());
        String owner = ClaimedSandboxes.owner(claim);
        if (owner != null) {
            labels.put(Labels.OWNER, owner);
        }
        next.getMetadata().setLabels(labels);
        Map<String, String> annotations = next.getMetadata().getAnnotations() == null
                ? new HashMap<>()
                : new HashMap<>(next.getMetadata().getAnnotations());
        annotations.putIfAbsent(Labels.POD_NAME, member.getMetadata().getName());
        next.getMetadata().setAnnotations(annotations);
        List<OwnerReference> refs = new ArrayList<>();
        if (next.getMetadata().getOwnerReferences() != null) {
            next.getMetadata().getOwnerReferences().stream()
                    .filter(r -> !SandboxWarmPool.KIND.equals(r.getKind()) && !Boolean.TRUE.equals(r.getController()))
                    .forEach(refs::add);
        }
        refs.add(ClaimedSandboxes.ownerReference(claim));
        next.getMetadata().setOwnerReferences(refs);
        ClaimedSandboxes.mergePodMetadata(next.getSpec(), claim.getSpec().getAdditionalPodMetadata());
        return next;
    }

    private static String key(SandboxClaim claim) {
        return claim.getMetadata().getNamespace() + "/" + claim.getMetadata().getName();
    }
}
