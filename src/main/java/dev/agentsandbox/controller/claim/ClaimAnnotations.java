package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.controller.ApiOutcomes;
import dev.agentsandbox.controller.MergePatch;
import dev.agentsandbox.controller.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Writes annotations on a claim (the commit record, the first-Ready stamp) as merge patches: the commit's carry the
 * resourceVersion that was read, so a concurrent writer makes them fail with a conflict instead of being overwritten.
 */
final class ClaimAnnotations {

    static final int ATTEMPTS = 5;

    private final KubernetesClient client;

    ClaimAnnotations(KubernetesClient client) {
        this.client = client;
    }

    /** An annotation of a claim, or of the Sandbox or template it reads; null when absent. */
    static String get(HasMetadata object, String key) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    /**
     * Sets (or with a null value removes) {@code annotations}. After a conflict the claim is read again and
     * {@code stillWanted} sees it: it returns the claim to write on, or null when someone else decided meanwhile, and
     * then that fresh claim is returned unwritten.
     */
    SandboxClaim write(SandboxClaim claim, Map<String, String> annotations, UnaryOperator<SandboxClaim> stillWanted) {
        AtomicInteger attempt = new AtomicInteger();
        return ApiOutcomes.retryOnConflict(ATTEMPTS, "claim " + ObjectKey.of(claim) + " annotations", () -> {
            SandboxClaim base = claim;
            if (attempt.getAndIncrement() > 0) {
                SandboxClaim fresh = reread(claim);
                base = stillWanted.apply(fresh);
                if (base == null) {
                    return fresh;
                }
            }
            return MergePatch.locked(base).annotations(with(base, annotations)).apply(client, base);
        });
    }

    /**
     * Adds {@code annotations} with a merge patch that carries the claim's uid (a claim recreated under the same name
     * is not stamped) but no resourceVersion: for stamps that record a fact and decide nothing, so a concurrent write
     * of the claim (its status) is no reason to read it again and retry. Nothing is sent when the claim at hand
     * already carries them.
     */
    void stamp(SandboxClaim claim, Map<String, String> annotations) {
        MergePatch patch = MergePatch.of(claim).annotations(with(claim, annotations));
        if (patch.changes()) {
            patch.apply(client, claim);
        }
    }

    private SandboxClaim reread(SandboxClaim claim) {
        SandboxClaim fresh = client.resources(SandboxClaim.class)
                .inNamespace(claim.getMetadata().getNamespace())
                .withName(claim.getMetadata().getName())
                .get();
        if (fresh == null
                || !fresh.getMetadata().getUid().equals(claim.getMetadata().getUid())) {
            throw new KubernetesClientException("claim " + ObjectKey.of(claim) + " was deleted meanwhile");
        }
        return fresh;
    }

    /** The claim's annotations with {@code changes} made (a null value removes the key). */
    private static Map<String, String> with(SandboxClaim claim, Map<String, String> changes) {
        Map<String, String> merged = claim.getMetadata().getAnnotations() == null
                ? new HashMap<>()
                : new HashMap<>(claim.getMetadata().getAnnotations());
        changes.forEach((k, v) -> {
            if (v == null) {
                merged.remove(k);
            } else {
                merged.put(k, v);
            }
        });
        return merged;
    }
}
