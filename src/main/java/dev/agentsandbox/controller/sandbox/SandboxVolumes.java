package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.VolumeClaimTemplate;
import dev.agentsandbox.controller.Ownership;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The PersistentVolumeClaims of a Sandbox (one per volumeClaimTemplate) and the Pod volumes that mount them. */
public final class SandboxVolumes {

    /**
     * PVC annotation: NameHash of the volumeClaimTemplate the claim was made from. Lets the controller see that
     * {@code volumeClaimTemplates} changed after creation, which it refuses (a PVC's spec is mostly immutable and its
     * data must not be silently dropped).
     */
    public static final String TEMPLATE_HASH = Labels.PREFIX + "volume-claim-template-hash";

    private SandboxVolumes() {}

    public static List<VolumeClaimTemplate> templates(Sandbox sandbox) {
        List<VolumeClaimTemplate> vcts = sandbox.getSpec().getVolumeClaimTemplates();
        return vcts == null ? List.of() : vcts;
    }

    /** {@code <vct>-<sandbox>}. */
    public static String claimName(VolumeClaimTemplate vct, Sandbox sandbox) {
        return vct.getMetadata().getName() + "-" + sandbox.getMetadata().getName();
    }

    public static String templateHash(VolumeClaimTemplate vct) {
        return NameHash.of(Serialization.asJson(vct));
    }

    public static List<PersistentVolumeClaim> desired(Sandbox sandbox) {
        List<PersistentVolumeClaim> claims = new ArrayList<>();
        for (VolumeClaimTemplate vct : templates(sandbox)) {
            Map<String, String> labels = new LinkedHashMap<>();
            if (vct.getMetadata().getLabels() != null) {
                labels.putAll(vct.getMetadata().getLabels());
            }
            labels.put(Labels.SANDBOX_NAME_HASH, SandboxPods.nameHash(sandbox));
            Map<String, String> annotations = new LinkedHashMap<>();
            if (vct.getMetadata().getAnnotations() != null) {
                annotations.putAll(vct.getMetadata().getAnnotations());
            }
            annotations.put(TEMPLATE_HASH, templateHash(vct));
            claims.add(new PersistentVolumeClaimBuilder()
                    .withNewMetadata()
                    .withName(claimName(vct, sandbox))
                    .withNamespace(sandbox.getMetadata().getNamespace())
                    .withLabels(labels)
                    .withAnnotations(annotations)
                    .withOwnerReferences(Ownership.controllerReference(sandbox))
                    .endMetadata()
                    .withSpec(vct.getSpec() == null ? null : Serialization.clone(vct.getSpec()))
                    .build());
        }
        return claims;
    }

    /**
     * The Pod's volumes: the template's own, where a volume named after a vct is replaced by the claim (as a
     * StatefulSet does), then one volume per vct.
     */
    public static List<Volume> podVolumes(Sandbox sandbox, List<Volume> templateVolumes) {
        List<VolumeClaimTemplate> vcts = templates(sandbox);
        Set<String> vctNames = vcts.stream().map(v -> v.getMetadata().getName()).collect(Collectors.toSet());
        List<Volume> volumes = new ArrayList<>();
        if (templateVolumes != null) {
            templateVolumes.stream()
                    .filter(v -> !vctNames.contains(v.getName()))
                    .forEach(volumes::add);
        }
        for (VolumeClaimTemplate vct : vcts) {
            volumes.add(new VolumeBuilder()
                    .withName(vct.getMetadata().getName())
                    .withNewPersistentVolumeClaim()
                    .withClaimName(claimName(vct, sandbox))
                    .endPersistentVolumeClaim()
                    .build());
        }
        return volumes;
    }

    /**
     * Why the owned claims no longer match {@code volumeClaimTemplates}, or null when they do. A claim not yet
     * created is not a mismatch (creation may have been interrupted); an owned claim of a removed or changed
     * template is.
     */
    public static String mismatch(Sandbox sandbox, List<PersistentVolumeClaim> owned) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (VolumeClaimTemplate vct : templates(sandbox)) {
            wanted.put(claimName(vct, sandbox), templateHash(vct));
        }
        List<String> problems = new ArrayList<>();
        for (PersistentVolumeClaim pvc : owned) {
            String name = pvc.getMetadata().getName();
            String recorded = pvc.getMetadata().getAnnotations() == null
                    ? null
                    : pvc.getMetadata().getAnnotations().get(TEMPLATE_HASH);
            if (!wanted.containsKey(name)) {
                problems.add("PVC " + name + " has no volumeClaimTemplate any more");
            } else if (recorded != null && !recorded.equals(wanted.get(name))) {
                problems.add("the template of PVC " + name + " changed");
            }
        }
        if (problems.isEmpty()) {
            return null;
        }
        return "spec.volumeClaimTemplates changed after creation (" + String.join("; ", problems)
                + "); volumeClaimTemplates is immutable, the PVCs are left unchanged";
    }
}
