package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.AdditionalPodMetadata;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.PodTemplateMetadata;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxSpec;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.controller.Ownership;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a Sandbox that belongs to a claim carries: the claim as controller owner, its owner label, its Pod metadata. */
final class ClaimedSandboxes {

    private ClaimedSandboxes() {}

    static OwnerReference ownerReference(SandboxClaim claim) {
        return new OwnerReferenceBuilder()
                .withApiVersion(SandboxTemplate.API_VERSION)
                .withKind(SandboxClaim.KIND)
                .withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** The end user the claim is for ({@code agents.x-k8s.io/owner} label), or null. */
    static String owner(SandboxClaim claim) {
        Map<String, String> labels = claim.getMetadata().getLabels();
        return labels == null ? null : labels.get(Labels.OWNER);
    }

    static boolean controlledBy(Sandbox sandbox, SandboxClaim claim) {
        return Ownership.controllerOf(sandbox)
                .filter(r -> SandboxClaim.KIND.equals(r.getKind())
                        && claim.getMetadata().getUid().equals(r.getUid()))
                .isPresent();
    }

    /** Merges the claim's additional labels and annotations into the Pod template of {@code spec}. */
    static void mergePodMetadata(SandboxSpec spec, AdditionalPodMetadata additional) {
        if (additional == null) {
            return;
        }
        PodTemplateMetadata meta = spec.getPodTemplate().getMetadata();
        if (meta == null) {
            meta = new PodTemplateMetadata();
            spec.getPodTemplate().setMetadata(meta);
        }
        meta.setLabels(merged(meta.getLabels(), additional.getLabels()));
        meta.setAnnotations(merged(meta.getAnnotations(), additional.getAnnotations()));
    }

    private static Map<String, String> merged(Map<String, String> base, Map<String, String> extra) {
        if (extra == null || extra.isEmpty()) {
            return base;
        }
        Map<String, String> result = base == null ? new LinkedHashMap<>() : new LinkedHashMap<>(base);
        result.putAll(extra);
        return result;
    }
}
