package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.controller.Ownership;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The Pod a Sandbox wants, and how to read a live Pod's state. */
public final class SandboxPods {

    private SandboxPods() {}

    /** The {@code agents.x-k8s.io/pod-name} annotation if set (adopted warm sandboxes keep their Pod), else the name. */
    public static String podName(Sandbox sandbox) {
        Map<String, String> annotations = sandbox.getMetadata().getAnnotations();
        String name = annotations == null ? null : annotations.get(Labels.POD_NAME);
        return name == null || name.isBlank() ? sandbox.getMetadata().getName() : name;
    }

    public static String nameHash(Sandbox sandbox) {
        return NameHash.of(sandbox.getMetadata().getName());
    }

    public static Pod desired(Sandbox sandbox) {
        SandboxPodMetadata metadata = SandboxPodMetadata.of(sandbox);
        PodSpec spec = Serialization.clone(sandbox.getSpec().getPodTemplate().getSpec());
        List<Volume> volumes = SandboxVolumes.podVolumes(sandbox, spec.getVolumes());
        spec.setVolumes(volumes.isEmpty() ? spec.getVolumes() : volumes);
        return new PodBuilder()
                .withNewMetadata()
                .withName(podName(sandbox))
                .withNamespace(sandbox.getMetadata().getNamespace())
                .withLabels(metadata.labels())
                .withAnnotations(metadata.annotations())
                .withOwnerReferences(Ownership.controllerReference(sandbox))
                .endMetadata()
                .withSpec(spec)
                .build();
    }

    /** Running, Ready=True and with an IP: the only state in which a sandbox is Ready. */
    public static boolean isReady(Pod pod) {
        if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase())) {
            return false;
        }
        return !ips(pod).isEmpty()
                && condition(pod, "Ready")
                        .map(c -> "True".equals(c.getStatus()))
                        .orElse(false);
    }

    public static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    public static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    public static Optional<PodCondition> condition(Pod pod, String type) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst();
    }

    /** All pod IPs, falling back to the single {@code podIP}. */
    public static List<String> ips(Pod pod) {
        List<String> ips = new ArrayList<>();
        if (pod.getStatus() == null) {
            return ips;
        }
        if (pod.getStatus().getPodIPs() != null) {
            pod.getStatus().getPodIPs().stream()
                    .map(PodIP::getIp)
                    .filter(Objects::nonNull)
                    .forEach(ips::add);
        }
        if (ips.isEmpty() && pod.getStatus().getPodIP() != null) {
            ips.add(pod.getStatus().getPodIP());
        }
        return ips;
    }
}
