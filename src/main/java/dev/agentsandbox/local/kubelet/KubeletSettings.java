package dev.agentsandbox.local.kubelet;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the process kubelet needs to know.
 *
 * @param dataDir where Pod logs and PVC directories go
 * @param agentImageMarker a Pod whose image contains this text runs as this application in agent role
 * @param agentCommand the command that starts this application (java, JVM flags, {@code -jar quarkus-run.jar});
 *        empty when the application jar cannot be found, then agent Pods stay Pending
 * @param modelEnv the offline demo model's {@code OPENAI_*} settings for agent Pods that lack their own; empty for none
 * @param nodeName the node name Pods report on the embedded API server
 * @param nodes on a real control plane, the Nodes this kubelet registers and whose Pods it runs (only Pods the
 *        scheduler bound to them); empty on the embedded API server, where the kubelet runs every Pod and sets
 *        {@code spec.nodeName} itself
 * @param platformAppDir where {@code quarkus-run.jar} and the image's entrypoint are, for Pods of the platform image
 *        (controller and router roles); empty when the application was not found, then such Pods stay Pending
 */
public record KubeletSettings(
        Path dataDir,
        String agentImageMarker,
        List<String> agentCommand,
        Map<String, String> modelEnv,
        String nodeName,
        Clock clock,
        List<LocalNode> nodes,
        Optional<Path> platformAppDir) {

    /** Settings for the embedded API server: no Nodes to register, no platform-image Pods. */
    public KubeletSettings(
            Path dataDir,
            String agentImageMarker,
            List<String> agentCommand,
            Map<String, String> modelEnv,
            String nodeName,
            Clock clock) {
        this(dataDir, agentImageMarker, agentCommand, modelEnv, nodeName, clock, List.of(), Optional.empty());
    }

    /** The same settings, on a real control plane's Nodes. */
    public KubeletSettings onNodes(List<LocalNode> registered) {
        return new KubeletSettings(
                dataDir, agentImageMarker, agentCommand, modelEnv, nodeName, clock, registered, platformAppDir);
    }

    /** The same settings, running Pods of the platform image from the application in {@code appDir}. */
    public KubeletSettings withPlatformApp(Optional<Path> appDir) {
        return new KubeletSettings(dataDir, agentImageMarker, agentCommand, modelEnv, nodeName, clock, nodes, appDir);
    }

    /** Whether this kubelet runs as Nodes of a real control plane. */
    public boolean registersNodes() {
        return !nodes.isEmpty();
    }

    /** Whether a Pod bound to {@code node} is this kubelet's to run. */
    boolean runsOn(String node) {
        return nodes.stream().anyMatch(n -> n.name().equals(node));
    }

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
