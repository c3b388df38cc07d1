package dev.agentsandbox.local.kubelet;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * What the process kubelet needs to know.
 *
 * @param dataDir where Pod logs and PVC directories go
 * @param agentImageMarker a Pod whose image contains this text runs as this application in agent role
 * @param agentCommand the command that starts this application (java, JVM flags, {@code -jar quarkus-run.jar});
 *        empty when the application jar cannot be found, then agent Pods stay Pending
 * @param modelEnv the offline demo model's {@code OPENAI_*} settings for agent Pods that lack their own; empty for none
 * @param nodeName the node name Pods report
 */
public record KubeletSettings(
        Path dataDir,
        String agentImageMarker,
        List<String> agentCommand,
        Map<String, String> modelEnv,
        String nodeName,
        Clock clock) {

    /** The image naming convention: the platform's agent image has this in its name. */
    public static final String AGENT_IMAGE_MARKER = "agent-sandbox-agent";

    /** JVM flags that keep an agent process small (measured in docs/benchmarks.md). */
    public static final List<String> SMALL_JVM = List.of(
            "-Xmx64m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xss512k",
            "-XX:ReservedCodeCacheSize=32m",
            "-XX:MaxMetaspaceSize=96m");
}
