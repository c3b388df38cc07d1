package dev.agentsandbox.local.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a process of local mode finds a PVC mounted in its container. Nothing is mounted here: a PVC is the directory
 * {@code <data-dir>/volumes/<namespace>/<claim>} ({@link VolumeBinder}, {@link LocalPathProvisioner}), which outlives
 * the Pod as the volume outlives it in a cluster. So that a program told its data's path through the environment
 * (the agent's {@code AGENT_HISTORY_DIR}) finds the volume's data, a variable whose value is a PVC's mount path, or a
 * path under it, is pointed at that directory instead.
 */
final class VolumePaths {

    private VolumePaths() {}

    /** The PVC's directory under {@code volumeRoot}. */
    static Path directory(Path volumeRoot, String namespace, String claim) {
        return volumeRoot.resolve(namespace).resolve(claim);
    }

    /** {@code env} with mount paths of the container's PVC volumes replaced by their directories. */
    static Map<String, String> honour(Pod pod, Container container, Map<String, String> env, Path volumeRoot) {
        Map<String, String> result = new LinkedHashMap<>(env);
        for (VolumeMount mount : container.getVolumeMounts()) {
            Optional<Path> dir = claimOf(pod, mount.getName())
                    .map(claim -> directory(volumeRoot, pod.getMetadata().getNamespace(), claim))
                    .map(d -> mount.getSubPath() == null || mount.getSubPath().isEmpty()
                            ? d
                            : d.resolve(mount.getSubPath()));
            if (dir.isEmpty()) {
                continue;
            }
            String mountPath = trimmed(mount.getMountPath());
            result.replaceAll((name, value) -> {
                if (value == null) {
                    return null;
                }
                if (value.equals(mountPath) || value.equals(mountPath + "/")) {
                    return dir.get().toString();
                }
                return value.startsWith(mountPath + "/")
                        ? dir.get()
                                .resolve(value.substring(mountPath.length() + 1))
                                .toString()
                        : value;
            });
        }
        return result;
    }

    private static Optional<String> claimOf(Pod pod, String volume) {
        return pod.getSpec().getVolumes().stream()
                .filter(v -> volume.equals(v.getName()) && v.getPersistentVolumeClaim() != null)
                .map(Volume::getPersistentVolumeClaim)
                .map(c -> c.getClaimName())
                .findFirst();
    }

    private static String trimmed(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
