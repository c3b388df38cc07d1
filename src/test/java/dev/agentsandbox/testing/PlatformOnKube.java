package dev.agentsandbox.testing;

import static org.awaitility.Awaitility.await;

import dev.agentsandbox.local.LocalMain;
import dev.agentsandbox.local.kubelet.KubeletSettings;
import dev.agentsandbox.local.kubelet.LocalNode;
import dev.agentsandbox.local.kubelet.ProcessKubelet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The platform deployed on the {@link RealControlPlane} as a user deploys it: the process kubelet's Nodes (an AKS
 * system pool and a Kata pool) running the platform image's Pods and the agents, the rollouts of the controller and
 * router Deployments in agent-sandbox-system, and chats sent to a router Pod as its Service would send them.
 */
public final class PlatformOnKube {

    public static final String SYSTEM = "agent-sandbox-system";
    public static final Duration ROLLOUT = Duration.ofMinutes(3);

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PlatformOnKube() {}

    /** A process kubelet for a system node and a Kata node, running the packaged application's roles. */
    public static ProcessKubelet nodes(KubernetesClient client, Path dir, String systemNode, String kataNode) {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        return new ProcessKubelet(
                        client,
                        new KubeletSettings(
                                        dir,
                                        KubeletSettings.AGENT_IMAGE_MARKER,
                                        LocalMain.agentCommand(jar),
                                        Map.of(),
                                        systemNode,
                                        Clock.systemUTC())
                                .withPlatformApp(Optional.of(jar.getParent()))
                                .onNodes(List.of(LocalNode.systemPool(systemNode), LocalNode.kataPool(kataNode))))
                .start();
    }

    /** Stops the kubelet, removes its Nodes (the Pod garbage collector takes what was bound to them), closes the client. */
    public static void stopNodes(ProcessKubelet kubelet, KubernetesClient client, String... nodes) {
        if (kubelet != null) {
            kubelet.close();
        }
        if (client != null) {
            for (String node : nodes) {
                client.nodes().withName(node).delete();
            }
            client.close();
        }
    }

    /** Waits until the Deployment in agent-sandbox-system has exactly this many updated, available replicas. */
    public static void awaitAvailable(KubernetesClient client, String deployment, int replicas) {
        await().atMost(ROLLOUT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Deployment d = client.apps()
                    .deployments()
                    .inNamespace(SYSTEM)
                    .withName(deployment)
                    .get();
            return d != null
                    && d.getStatus() != null
                    && Integer.valueOf(replicas).equals(d.getStatus().getUpdatedReplicas())
                    && Integer.valueOf(replicas).equals(d.getStatus().getAvailableReplicas())
                    && Integer.valueOf(replicas).equals(d.getStatus().getReplicas());
        });
    }

    /** The router's Pods that are not being deleted. */
    public static List<Pod> routerPods(KubernetesClient client) {
        return client.pods().inNamespace(SYSTEM).withLabel("app", "sandbox-router").list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .toList();
    }

    public static boolean ready(Pod pod) {
        return pod.getStatus() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** "Who are you?" to a sandbox's agent (port 8080) through a Ready router Pod, with a bearer token. */
    public static HttpResponse<String> chat(KubernetesClient client, String namespace, String sandbox, String token)
            throws Exception {
        Pod router = routerPods(client).stream()
                .filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null && ready(p))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Ready router Pod in " + SYSTEM));
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://" + router.getStatus().getPodIP() + ":8080/chat"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("X-Sandbox-ID", sandbox)
                .header("X-Sandbox-Namespace", namespace)
                .header("X-Sandbox-Port", "8080")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Who are you?\"}"))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
