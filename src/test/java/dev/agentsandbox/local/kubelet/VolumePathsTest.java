package dev.agentsandbox.local.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VolumePathsTest {

    static final Path ROOT = Path.of("/data/volumes");

    final Container agent = new ContainerBuilder()
            .withName("agent")
            .addNewVolumeMount()
            .withName("history")
            .withMountPath("/var/lib/agent/history/")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("tmp")
            .withMountPath("/tmp")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("cache")
            .withMountPath("/cache")
            .withSubPath("agent")
            .endVolumeMount()
            .build();

    final Pod pod = new PodBuilder()
            .withNewMetadata()
            .withName("s")
            .withNamespace("demo")
            .endMetadata()
            .withNewSpec()
            .addToContainers(agent)
            .addNewVolume()
            .withName("history")
            .withNewPersistentVolumeClaim()
            .withClaimName("history-s")
            .endPersistentVolumeClaim()
            .endVolume()
            .addNewVolume()
            .withName("cache")
            .withNewPersistentVolumeClaim()
            .withClaimName("cache-s")
            .endPersistentVolumeClaim()
            .endVolume()
            .addNewVolume()
            .withName("tmp")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .build();

    @Test
    void aVariableNamingAPvcMountPathGetsThePvcsDirectory() {
        Map<String, String> env = VolumePaths.honour(
                pod,
                agent,
                Map.of(
                        "AGENT_HISTORY_DIR", "/var/lib/agent/history",
                        "UNDER", "/var/lib/agent/history/alice",
                        "SUB", "/cache",
                        "NEIGHBOUR", "/var/lib/agent/history-old",
                        "TMP", "/tmp/x",
                        "OTHER", "hello"),
                ROOT);

        assertThat(env)
                .containsEntry("AGENT_HISTORY_DIR", "/data/volumes/demo/history-s")
                .containsEntry("UNDER", "/data/volumes/demo/history-s/alice")
                .containsEntry("SUB", "/data/volumes/demo/cache-s/agent")
                .containsEntry("NEIGHBOUR", "/var/lib/agent/history-old")
                .as("an emptyDir is not a PVC")
                .containsEntry("TMP", "/tmp/x")
                .containsEntry("OTHER", "hello");
    }

    @Test
    void thePvcDirectoryIsTheOneTheBindersCreate() {
        assertThat(VolumePaths.directory(ROOT, "demo", "history-s")).isEqualTo(Path.of("/data/volumes/demo/history-s"));
    }
}
