package dev.agentsandbox.images;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container as a manifest runs it, turned into {@code docker run} options: the user, a read-only root, the emptyDir
 * mounts as tmpfs, dropped capabilities, no privilege escalation, the memory and CPU limits, the grace period. Every
 * setting comes from the manifest; nothing here is a copy of it.
 */
record ManifestContainer(PodSpec pod, Container container) {

    static ManifestContainer of(PodSpec pod) {
        return new ManifestContainer(pod, pod.getContainers().get(0));
    }

    List<String> runOptions() {
        List<String> options = new ArrayList<>();
        options.addAll(List.of("--user", user() + ":" + group()));
        SecurityContext sc = Optional.ofNullable(container.getSecurityContext()).orElse(new SecurityContext());
        if (Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
            options.add("--read-only");
        }
        for (var mount : container.getVolumeMounts()) {
            Optional<Volume> volume = pod.getVolumes().stream()
                    .filter(v -> v.getName().equals(mount.getName()))
                    .findFirst();
            if (volume.isPresent() && volume.get().getEmptyDir() != null) {
                options.addAll(List.of("--tmpfs", mount.getMountPath() + ":rw,exec,mode=1777"));
            }
        }
        if (sc.getCapabilities() != null && sc.getCapabilities().getDrop().contains("ALL")) {
            options.addAll(List.of("--cap-drop", "ALL"));
        }
        if (Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
            options.addAll(List.of("--security-opt", "no-new-privileges"));
        }
        memoryLimitBytes()
                .ifPresent(bytes -> options.addAll(
                        List.of("--memory", Long.toString(bytes), "--memory-swap", Long.toString(bytes))));
        limit("cpu")
                .ifPresent(cpu -> options.addAll(
                        List.of("--cpus", Quantity.getAmountInBytes(cpu).toPlainString())));
        options.addAll(List.of("--stop-timeout", Long.toString(gracePeriodSeconds())));
        return options;
    }

    long user() {
        return Optional.ofNullable(container.getSecurityContext())
                .map(SecurityContext::getRunAsUser)
                .or(() -> Optional.ofNullable(pod.getSecurityContext()).map(s -> s.getRunAsUser()))
                .orElseThrow(() -> new IllegalStateException("the manifest names no runAsUser"));
    }

    long group() {
        return Optional.ofNullable(container.getSecurityContext())
                .map(SecurityContext::getRunAsGroup)
                .or(() -> Optional.ofNullable(pod.getSecurityContext()).map(s -> s.getRunAsGroup()))
                .orElse(user());
    }

    Optional<Long> memoryLimitBytes() {
        return limit("memory").map(q -> Quantity.getAmountInBytes(q).longValueExact());
    }

    long gracePeriodSeconds() {
        return Optional.ofNullable(pod.getTerminationGracePeriodSeconds()).orElse(30L);
    }

    /** The container's plain environment; {@code valueFrom} entries are resolved by {@code resolve}. */
    Map<String, String> environment(java.util.function.Function<EnvVar, String> resolve) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : container.getEnv()) {
            env.put(e.getName(), e.getValue() != null ? e.getValue() : resolve.apply(e));
        }
        return env;
    }

    /** The path and container port of an httpGet probe (a named port resolved against the container's ports). */
    static Map.Entry<String, Integer> httpGet(Container container, Probe probe) {
        var get = probe.getHttpGet();
        int port = get.getPort().getIntVal() != null
                ? get.getPort().getIntVal()
                : container.getPorts().stream()
                        .filter(p -> get.getPort().getStrVal().equals(p.getName()))
                        .findFirst()
                        .orElseThrow()
                        .getContainerPort();
        return Map.entry(get.getPath(), port);
    }

    private Optional<Quantity> limit(String resource) {
        return Optional.ofNullable(container.getResources())
                .map(r -> r.getLimits())
                .map(l -> l.get(resource));
    }
}
