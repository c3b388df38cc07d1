package dev.agentsandbox.local;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of local mode ({@code sandbox.local.*}). */
@ConfigMapping(prefix = "sandbox.local")
public interface LocalConfig {

    /**
     * Where local mode keeps its kubeconfig, Pod logs and PVC directories. Read before Quarkus boots, so it is
     * given as a system property or {@code SANDBOX_LOCAL_DATA_DIR}; default {@code ~/.agent-sandbox/local}.
     */
    @WithDefault("${user.home}/.agent-sandbox/local")
    String dataDir();

    /** How long {@code local --serve} waits for the warm pool to be ready before it prints its lines anyway. */
    @WithDefault("120s")
    Duration readyTimeout();

    /** A Pod whose image name contains this runs as this application in agent role. */
    @WithDefault("agent-sandbox-agent")
    String agentImageMarker();

    /** The node name local Pods report. */
    @WithDefault("local")
    String nodeName();

    /** The kata-aks example to apply; default {@code deploy/kata-aks} if it exists, else a copy in the application. */
    Optional<String> exampleDir();

    /** The application jar agent Pods run; found next to the running application when not given. */
    Optional<String> applicationJar();

    /** Port of the embedded API on 127.0.0.1 (read before boot; 0 picks a free one). */
    @WithDefault("0")
    int apiPort();

    /** Where the generated CRDs are (read before boot); default {@code kubernetes/} next to {@code quarkus-app/}. */
    Optional<String> crdDir();
}
