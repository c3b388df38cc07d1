package dev.agentsandbox.controller.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.api.PodTemplateMetadata;
import dev.agentsandbox.api.Sandbox;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.utils.Serialization;

/** The Pod a Sandbox wants, and how to read a live Pod's state. */
public final class SandboxPods {

    private SandboxPods() {
    }

    public static String podName(Sandbox sandbox) {
        Map<String, String> annotations = sandbox.getMetadata().getAnnotations();
        String name = annotations == null ? null : annotations.get(Labels.POD_NAME);
        return name == null || name.isBlank() ? sandbox.getMetadata().getName() : name;
    }

    public static String nameHash(Sandbox sandbox) {
        return NameHash.of(sandbox.getMetadata().getName());
    }

    public static Pod desired(Sandbox sandbox) {
        PodTemplateMetadata meta = sandbox.getSpec().getPodTemplate().getMetadata();
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        if (meta != null && meta.getLabels() != null) {
            meta.getLabels().forEach((k, v) -> {
                if (!Labels.isReserved(k)) {
                    labels.put(k, v);
                }
            });
        }
        if (meta != null && meta.getAnnotations() != null) {
            meta.getAnnotations().forEach((k, v) -> {
                if (!Labels.isReserved(k)) {
                    annotations.put(k, v);
                }
            });
        }
        labels.put(Labels.SANDBOX_NAME_HASH, nameHash(sandbox));
        String owner = SandboxReconciler.labels(sandbox).get(Labels.OWNER);
        if (owner != null) {
            labels.put(Labels.OWNER, owner);
        }
        PodSpec spec = Serialization.clone(sandbox.getSpec().getPodTemplate().getSpec());
        return new PodBuilder()
                .withNewMetadata()
                .withName(podName(sandbox))
                .withNamespace(sandbox.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .addNewOwnerReference()
                .withApiVersion(Sandbox.API_VERSION)
                .withKind(Sandbox.KIND)
                .withName(sandbox.getMetadata().getName())
                .withUid(sandbox.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .endOwnerReference()
                .endMetadata()
                .withSpec(spec)
                .build();
    }

    /** Running, Ready=True and with an IP: the only state in which a sandbox is Ready. */
    public static boolean isReady(Pod pod) {
        if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase())) {
            return false;
        }
        boolean hasIp = pod.getStatus().getPodIP() != null
                || (pod.getStatus().getPodIPs() != null && !pod.getStatus().getPodIPs().isEmpty());
        boolean readyCondition = pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch((PodCondition c) -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        return hasIp && readyCondition;
    }
}
