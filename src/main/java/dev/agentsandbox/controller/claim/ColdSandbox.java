package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.ClaimEnvVar;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.EnvVarsInjectionPolicy;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxSpec;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.VolumeClaimTemplate;
import dev.agentsandbox.api.VolumeClaimTemplatesPolicy;
import dev.agentsandbox.controller.blueprint.TemplateBlueprint;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The Sandbox a claim starts cold: named after the claim, built from the template, with the claim's env and
 * volumeClaimTemplates applied as the template's policies allow.
 */
final class ColdSandbox {

    /** Either the Sandbox or the reason and the problem why the claim cannot have one. */
    record Result(Sandbox sandbox, String reason, String message) {
        boolean refused() {
            return sandbox == null;
        }
    }

    private ColdSandbox() {}

    static Result build(SandboxClaim claim, SandboxTemplate template, TemplateBlueprint blueprint) {
        String templateName = template.getMetadata().getName();
        SandboxSpec spec = blueprint.spec();
        String envError = applyEnv(
                claim.getSpec().getEnv(), policy(template.getSpec().getEnvVarsInjectionPolicy()), spec, templateName);
        if (envError != null) {
            return new Result(null, Conditions.ENV_VARS_INJECTION_REJECTED, envError);
        }
        String vctError = applyVolumes(
                claim.getSpec().getVolumeClaimTemplates(),
                policy(template.getSpec().getVolumeClaimTemplatesPolicy()),
                spec,
                templateName);
        if (vctError != null) {
            return new Result(null, Conditions.VOLUME_CLAIM_TEMPLATES_ERROR, vctError);
        }
        ClaimedSandboxes.mergePodMetadata(spec, claim.getSpec().getAdditionalPodMetadata());

        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.LAUNCH_TYPE, Labels.LAUNCH_TYPE_COLD);
        labels.put(Labels.CLAIM_UID, claim.getMetadata().getUid());
        labels.put(Labels.SANDBOX_TEMPLATE_REF_HASH, blueprint.refHash());
        String owner = ClaimedSandboxes.owner(claim);
        if (owner != null) {
            labels.put(Labels.OWNER, owner);
        }
        Sandbox sandbox = new Sandbox();
        sandbox.setMetadata(new ObjectMetaBuilder()
                .withName(claim.getMetadata().getName())
                .withNamespace(claim.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(Map.of(Labels.SANDBOX_TEMPLATE_REF, templateName))
                .withOwnerReferences(ClaimedSandboxes.ownerReference(claim))
                .build());
        sandbox.setSpec(spec);
        return new Result(sandbox, null, null);
    }

    private static EnvVarsInjectionPolicy policy(EnvVarsInjectionPolicy p) {
        return p == null ? EnvVarsInjectionPolicy.DISALLOWED : p;
    }

    private static VolumeClaimTemplatesPolicy policy(VolumeClaimTemplatesPolicy p) {
        return p == null ? VolumeClaimTemplatesPolicy.DISALLOWED : p;
    }

    private static String applyEnv(
            List<ClaimEnvVar> env, EnvVarsInjectionPolicy policy, SandboxSpec spec, String template) {
        if (env == null || env.isEmpty()) {
            return null;
        }
        if (policy == EnvVarsInjectionPolicy.DISALLOWED) {
            return "spec.env is not allowed: template \"" + template + "\" has envVarsInjectionPolicy Disallowed";
        }
        List<Container> containers = spec.getPodTemplate().getSpec().getContainers();
        for (int i = 0; i < env.size(); i++) {
            String error = injectEnvVar(env.get(i), "spec.env[" + i + "]", containers, policy, template);
            if (error != null) {
                return error;
            }
        }
        return null;
    }

    /** Sets one of the claim's variables in the containers it names (all when it names none), as the policy allows. */
    private static String injectEnvVar(
            ClaimEnvVar var, String field, List<Container> containers, EnvVarsInjectionPolicy policy, String template) {
        if (var.getName() == null || var.getName().isBlank()) {
            return field + ".name is required";
        }
        List<Container> targets = containers.stream()
                .filter(c ->
                        var.getContainerName() == null || var.getContainerName().equals(c.getName()))
                .toList();
        if (targets.isEmpty()) {
            return field + ".containerName: template \"" + template + "\" has no container \"" + var.getContainerName()
                    + "\"";
        }
        for (Container c : targets) {
            List<EnvVar> current = c.getEnv() == null ? new ArrayList<>() : new ArrayList<>(c.getEnv());
            int existing = indexOf(current, EnvVar::getName, var.getName());
            EnvVar value = new EnvVarBuilder()
                    .withName(var.getName())
                    .withValue(var.getValue())
                    .build();
            if (existing >= 0 && policy == EnvVarsInjectionPolicy.ALLOWED) {
                return field + ".name \"" + var.getName() + "\": template \"" + template + "\" already sets it in"
                        + " container \"" + c.getName() + "\"; envVarsInjectionPolicy Allowed only adds variables"
                        + " (Overrides replaces them)";
            }
            if (existing >= 0) {
                current.set(existing, value);
            } else {
                current.add(value);
            }
            c.setEnv(current);
        }
        return null;
    }

    /** The position of the element named {@code name}, or -1. */
    private static <T> int indexOf(List<T> elements, Function<T, String> nameOf, String name) {
        for (int i = 0; i < elements.size(); i++) {
            if (name.equals(nameOf.apply(elements.get(i)))) {
                return i;
            }
        }
        return -1;
    }

    private static String applyVolumes(
            List<VolumeClaimTemplate> volumes, VolumeClaimTemplatesPolicy policy, SandboxSpec spec, String template) {
        if (volumes == null || volumes.isEmpty()) {
            return null;
        }
        if (policy == VolumeClaimTemplatesPolicy.DISALLOWED) {
            return "spec.volumeClaimTemplates is not allowed: template \"" + template
                    + "\" has volumeClaimTemplatesPolicy Disallowed";
        }
        List<VolumeClaimTemplate> result = spec.getVolumeClaimTemplates() == null
                ? new ArrayList<>()
                : new ArrayList<>(spec.getVolumeClaimTemplates());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < volumes.size(); i++) {
            VolumeClaimTemplate vct = Serialization.clone(volumes.get(i));
            String field = "spec.volumeClaimTemplates[" + i + "].metadata.name";
            String name = vct.getMetadata() == null ? null : vct.getMetadata().getName();
            if (name == null || name.isBlank()) {
                return field + " is required";
            }
            if (!seen.add(name)) {
                return field + " \"" + name + "\" appears twice in the claim";
            }
            int existing = indexOf(result, v -> v.getMetadata().getName(), name);
            if (existing >= 0 && policy == VolumeClaimTemplatesPolicy.ALLOWED) {
                return field + " \"" + name + "\": template \"" + template + "\" already defines it;"
                        + " volumeClaimTemplatesPolicy Allowed only adds templates (Overrides replaces them)";
            }
            if (existing >= 0) {
                result.set(existing, vct);
            } else {
                result.add(vct);
            }
        }
        spec.setVolumeClaimTemplates(result);
        return null;
    }
}
