package dev.agentsandbox.local;

import dev.agentsandbox.local.controlplane.ControlPlane;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** What local mode started before Quarkus booted, handed over to {@link LocalMain}. */
record LocalRuntime(ControlPlane controlPlane, Path kubeconfig, Path dataDir) {

    private static final AtomicReference<LocalRuntime> CURRENT = new AtomicReference<>();

    static void started(LocalRuntime runtime) {
        CURRENT.set(runtime);
    }

    static Optional<LocalRuntime> current() {
        return Optional.ofNullable(CURRENT.get());
    }
}
