package dev.agentsandbox.local.controlplane;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where {@code tools/kube/build.sh} puts the control plane's binaries: {@code sandbox.kube.bin-dir} (or
 * {@code KUBE_BIN_DIR}), else {@code ~/.cache/agent-sandbox/k8s/<version>-linux-amd64/}. Nothing is downloaded: the
 * binaries are built from Go modules.
 */
public record KubeBinaries(Path dir) {

    /** The Kubernetes release that tools/kube/go.mod pins. */
    public static final String VERSION = "v1.36.3";

    public static final List<String> NAMES =
            List.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl");

    public static final String BUILD_HINT =
            "build them with tools/kube/build.sh (needs Go; about 4 minutes cold, seconds warm)";

    /** The configured or default directory, whether or not the binaries are there. */
    public static KubeBinaries configured() {
        String dir = System.getProperty("sandbox.kube.bin-dir", System.getenv("KUBE_BIN_DIR"));
        if (dir != null && !dir.isBlank()) {
            return new KubeBinaries(Path.of(dir));
        }
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base =
                cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        return new KubeBinaries(base.resolve("agent-sandbox").resolve("k8s").resolve(VERSION + "-linux-amd64"));
    }

    /** What is missing, as a sentence that names the build script; empty when every binary is there. */
    public Optional<String> missing() {
        List<String> absent =
                NAMES.stream().filter(n -> !Files.isExecutable(dir.resolve(n))).toList();
        return absent.isEmpty()
                ? Optional.empty()
                : Optional.of("the real Kubernetes control plane is not built: " + String.join(", ", absent)
                        + " missing in " + dir + "; " + BUILD_HINT);
    }

    public Path path(String name) {
        return dir.resolve(name);
    }
}
