package dev.agentsandbox.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentsandbox.local.Kubectl;
import dev.agentsandbox.local.LocalModeProcess;
import dev.agentsandbox.local.controlplane.KubeBinaries;
import dev.agentsandbox.manifests.RouterAdmission;
import dev.agentsandbox.testing.RealControlPlane;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On {@code local --control-plane=kube} (a real kube-apiserver, scheduler and controller-manager): the upstream SDKs'
 * flows ({@link UpstreamSdkFlows}), then upstream's own kata-aks YAML as it is (the template with its image filled,
 * the warm pool, the claim, read from the Go module of the SDK's release) together with the example's namespaced
 * router (deploy/kata-aks/router.yaml) as Pods of the platform image on the process kubelet: a chat through that
 * router reaches the claimed sandbox.
 */
@ExtendWith(RealControlPlane.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpstreamSdkOnKubeIT extends UpstreamSdkFlows {

    static final String AGENT_IMAGE = "ghcr.io/agent-sandbox/agent-sandbox-agent:0.1.0";
    static final String EXAMPLE_ROUTER_TOKEN = "example-router-token";
    static final String ROUTER_ACCOUNT = "system:serviceaccount:" + DEMO + ":sandbox-router";
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Kubectl kubectl;

    @BeforeAll
    static void serveOnARealControlPlane() throws Exception {
        LocalModeProcess started =
                serve("upstream-sdk-on-kube-it", Duration.ofSeconds(240), List.of("--control-plane=kube"));
        kubectl = new Kubectl(
                KubeBinaries.configured().path("kubectl").toString(),
                started.kubeconfig(),
                Files.createDirectories(started.dataDir.resolve("kubectl-cache")));
    }

    @Test
    @Order(10)
    void theExampleTemplateKeepsUpstreamsNetworkPolicyUnchanged() throws Exception {
        Path upstream = UpstreamSdks.upstreamKataAksExample();
        assertThat(YAML.readTree(
                                Path.of("deploy/kata-aks/sandbox-template.yaml").toFile())
                        .at("/spec/networkPolicy"))
                .isEqualTo(
                        YAML.readTree(upstream.resolve("sandboxtemplate.yaml").toFile())
                                .at("/spec/networkPolicy"));
    }

    @Test
    @Order(20)
    void upstreamsOwnYamlAndTheNamespacedRouterServeAChat() throws Exception {
        Path upstream = UpstreamSdks.upstreamKataAksExample();
        // what AKS provides, and the router's token the deploy scripts create
        assertOk(kubectl.apply(
                """
                apiVersion: node.k8s.io/v1
                kind: RuntimeClass
                metadata:
                  name: kata-vm-isolation
                handler: kata
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: sandbox-router-auth
                  namespace: %s
                stringData:
                  token: %s
                """
                        .formatted(DEMO, EXAMPLE_ROUTER_TOKEN)));
        assertOk(kubectl.apply(
                Files.readString(upstream.resolve("sandboxtemplate.yaml")).replace("${AGENT_IMAGE}", AGENT_IMAGE)));
        assertOk(kubectl.run(
                "apply", "-f", upstream.resolve("sandboxwarmpool.yaml").toString()));
        // The pool (OnReplenish) keeps members of local mode's template; new ones are built from upstream's.
        assertOk(kubectl.run("delete", "sandboxes", "-n", DEMO, "-l", "agents.x-k8s.io/warm-pool-sandbox"));
        assertOk(kubectl.run("apply", "-f", "deploy/kata-aks/router.yaml"));
        assertOk(
                kubectl.run("rollout", "status", "deployment/sandbox-router-deployment", "-n", DEMO, "--timeout=180s"));
        assertOk(kubectl.run(
                "wait",
                "--for=jsonpath={.status.readyReplicas}=3",
                "--timeout=180s",
                "-n",
                DEMO,
                "swp/kata-aks-warmpool"));
        assertOk(
                kubectl.run("apply", "-f", upstream.resolve("sandboxclaim.yaml").toString()));
        assertOk(
                kubectl.run("wait", "--for=condition=Ready", "--timeout=90s", "-n", DEMO, "sandboxclaim/my-aks-agent"));
        String sandbox = kubectl.run(
                        "get", "sandboxclaim", "my-aks-agent", "-n", DEMO, "-o", "jsonpath={.status.sandbox.name}")
                .out();

        try (KubernetesClient client = client()) {
            Pod agent = client.pods().inNamespace(DEMO).withName(sandbox).get();
            assertThat(agent.getSpec().getRuntimeClassName())
                    .as("the claimed sandbox was built from upstream's template")
                    .isEqualTo("kata-vm-isolation");
            assertThat(agent.getSpec().getNodeName())
                    .as("placed on the Kata pool")
                    .endsWith("-kata");
            List<Pod> routers =
                    client.pods().inNamespace(DEMO).withLabel("app", "sandbox-router").list().getItems().stream()
                            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                            .toList();
            assertThat(routers).hasSize(2);
            NetworkPolicy policy = client.network()
                    .v1()
                    .networkPolicies()
                    .inNamespace(DEMO)
                    .withName("kata-aks-template-network-policy")
                    .get();
            Namespace demo = client.namespaces().withName(DEMO).get();
            for (Pod router : routers) {
                assertThat(RouterAdmission.admits(
                                policy.getSpec().getIngress(),
                                DEMO,
                                demo,
                                router.getMetadata().getLabels(),
                                8080))
                        .as(
                                "the live NetworkPolicy admits router pod %s on the agent's port",
                                router.getMetadata().getName())
                        .isTrue();
                HttpResponse<String> chat = chat(router.getStatus().getPodIP(), sandbox);
                assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
                assertThat(chat.body()).contains("\"owner\":\"seed-user\"", "I am seed-user's agent.");
            }
        }
        assertThat(local.dataDir.resolve("kube").resolve("audit.log"))
                .as("the router worked with its namespaced Role only")
                .content()
                .contains(ROUTER_ACCOUNT)
                .doesNotContainPattern("\"username\":\"" + ROUTER_ACCOUNT + "\".*\"code\":403");
    }

    /** As upstream's client sends it, plus the example router's shared token (upstream's router runs open). */
    private static HttpResponse<String> chat(String routerIp, String sandbox) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + routerIp + ":8080/chat"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + EXAMPLE_ROUTER_TOKEN)
                .header("X-Sandbox-ID", sandbox)
                .header("X-Sandbox-Namespace", DEMO)
                .header("X-Sandbox-Port", "8080")
                .header("X-Owner", "seed-user")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Who are you?\"}"))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static KubernetesClient client() throws Exception {
        return new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(local.kubeconfig())))
                .build();
    }

    private static void assertOk(Kubectl.Result result) {
        assertThat(result.exit()).as(result.toString()).isZero();
    }
}
