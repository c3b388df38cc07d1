package dev.agentsandbox.local.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.local.Kubectl;
import dev.agentsandbox.local.kubelet.ProcessKubelet;
import dev.agentsandbox.local.model.DemoModel;
import dev.agentsandbox.owner.token.OwnerTokens;
import dev.agentsandbox.testing.PlatformOnKube;
import dev.agentsandbox.testing.RealControlPlane;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The platform as a user deploys it, on a real control plane: the generated CRDs and manifests applied with the
 * kubectl of that release, the controller and the router as Pods of the platform image running as their own
 * ServiceAccounts (RBAC enforced), the kata-aks example applied unchanged, Pods placed by the real scheduler on the
 * process kubelet's Nodes (an AKS system pool and a Kata pool), and the garbage collector of the controller-manager.
 * The audit log proves that a whole scenario ran without one 403, and one permission taken away shows where an
 * operator sees it.
 */
@ExtendWith(RealControlPlane.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KataAksOnKubeIT {

    static final String SYSTEM = "agent-sandbox-system";
    static final String DEMO = "sandbox-agent-demo";
    static final String CONTROLLER_SA = "system:serviceaccount:" + SYSTEM + ":agent-sandbox-controller";
    static final String ROUTER_SA = "system:serviceaccount:" + SYSTEM + ":sandbox-router";
    static final String SYSTEM_NODE = "kube-it";
    static final String KATA_NODE = "kube-it-kata";
    static final Duration ROLLOUT = Duration.ofMinutes(3);
    static final ObjectMapper JSON = new ObjectMapper();

    static KubeControlPlane plane;
    static KubernetesClient client;
    static Kubectl kubectl;
    static DemoModel model;
    static ProcessKubelet kubelet;
    static Path kubeletDir;

    @BeforeAll
    static void startThePlatformsNodes() throws IOException {
        plane = RealControlPlane.get();
        client = plane.client("default");
        Path work =
                Files.createDirectories(Path.of("target", "kube-it-kata-aks").toAbsolutePath());
        Path kubeconfig = plane.writeKubeconfig(work.resolve("admin.kubeconfig"), "default");
        kubectl = new Kubectl(
                KubeBinaries.configured().path("kubectl").toString(),
                kubeconfig,
                Files.createDirectories(work.resolve("kubectl-cache")));
        model = DemoModel.start(Clock.systemUTC());
        kubeletDir = work.resolve("kubelet");
        kubelet = PlatformOnKube.nodes(client, kubeletDir, SYSTEM_NODE, KATA_NODE);
    }

    @AfterAll
    static void stopThePlatform() throws Exception {
        if (kubectl != null) {
            kubectl.run("delete", "-f", "target/kubernetes/kubernetes.yml", "--wait=false", "--ignore-not-found");
            kubectl.run("delete", "namespace", DEMO, "--wait=false", "--ignore-not-found");
        }
        PlatformOnKube.stopNodes(kubelet, client, SYSTEM_NODE, KATA_NODE);
        if (model != null) {
            model.close();
        }
    }

    @Test
    @Order(1)
    void theGeneratedCrdsAreAcceptedEstablishedAndExplained() throws Exception {
        List<String> apply = new ArrayList<>(
                List.of("apply", "--server-side", "--force-conflicts", "--field-manager=agent-sandbox-deploy"));
        try (Stream<Path> files = Files.list(Path.of("target", "kubernetes"))) {
            files.filter(f -> f.getFileName().toString().endsWith("-v1.yml"))
                    .sorted()
                    .forEach(f -> apply.addAll(List.of("-f", f.toString())));
        }
        assertOk(kubectl.run(apply.toArray(String[]::new)));
        assertOk(kubectl.run(
                "wait",
                "--for=condition=Established",
                "--timeout=60s",
                "crd/sandboxes.agents.x-k8s.io",
                "crd/sandboxtemplates.extensions.agents.x-k8s.io",
                "crd/sandboxwarmpools.extensions.agents.x-k8s.io",
                "crd/sandboxclaims.extensions.agents.x-k8s.io"));
        Kubectl.Result explain = kubectl.run("explain", "sandboxclaim.spec");
        assertOk(explain);
        assertThat(explain.out()).contains("warmPoolRef", "lifecycle");
    }

    @Test
    @Order(2)
    void theGeneratedDeploymentsRunAsTheirServiceAccounts() throws Exception {
        assertOk(kubectl.run("apply", "-f", "target/kubernetes/kubernetes.yml"));
        // as deploy/aks/deploy.sh: the router's shared token; then owner tokens switched on (docs/router.md)
        client.secrets()
                .inNamespace(SYSTEM)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("sandbox-router-auth")
                        .endMetadata()
                        .withStringData(Map.of("token", "kube-it-shared-token"))
                        .build())
                .create();
        assertOk(kubectl.run(
                "set",
                "env",
                "deployment/sandbox-router-deployment",
                "-n",
                SYSTEM,
                "SANDBOX_ROUTER_OWNER_TOKENS_ENABLED=true"));
        awaitAvailable("agent-sandbox-controller", 1);
        awaitAvailable("sandbox-router-deployment", 2);
        for (Pod pod : client.pods().inNamespace(SYSTEM).list().getItems()) {
            if (pod.getMetadata().getDeletionTimestamp() == null) {
                assertThat(pod.getSpec().getNodeName())
                        .as(
                                "node of %s (the system pool; the Kata pool is tainted)",
                                pod.getMetadata().getName())
                        .isEqualTo(SYSTEM_NODE);
            }
        }
        assertThat(auditUsers()).contains(CONTROLLER_SA, ROUTER_SA);
    }

    @Test
    @Order(3)
    void theKataAksExampleServesEachOwnerFromTheirOwnWarmSandbox() throws Exception {
        assertOk(
                kubectl.apply(
                        """
                apiVersion: node.k8s.io/v1
                kind: RuntimeClass
                metadata:
                  name: kata-vm-isolation
                handler: kata
                """));
        assertOk(kubectl.run("apply", "-f", "deploy/kata-aks/namespace.yaml"));
        client.secrets()
                .inNamespace(DEMO)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("azure-foundry")
                        .endMetadata()
                        .withStringData(model.settings())
                        .build())
                .create();
        assertOk(kubectl.run(
                "apply", "-f", "deploy/kata-aks/sandbox-template.yaml", "-f", "deploy/kata-aks/warm-pool.yaml"));
        await().atMost(ROLLOUT).pollInterval(Duration.ofSeconds(1)).until(() -> "3"
                .equals(kubectl.run(
                                "get", "swp", "kata-aks-warmpool", "-n", DEMO, "-o", "jsonpath={.status.readyReplicas}")
                        .out()));
        assertThat(kubectl.run("get", "swp", "-n", DEMO).out()).contains("READY", "DESIRED");
        for (Pod pod : client.pods().inNamespace(DEMO).list().getItems()) {
            assertThat(pod.getSpec().getNodeName())
                    .as(
                            "the scheduler placed %s by the template's nodeSelector and toleration",
                            pod.getMetadata().getName())
                    .isEqualTo(KATA_NODE);
        }

        String alice = OwnerTokens.issue(client, SYSTEM, OwnerTokens.DEFAULT_SECRET_NAME, "alice");
        String bob = OwnerTokens.issue(client, SYSTEM, OwnerTokens.DEFAULT_SECRET_NAME, "bob");
        assertOk(kubectl.apply(claim("alice-agent", "alice") + "---\n" + claim("bob-agent", "bob")));
        assertOk(kubectl.run(
                "wait",
                "--for=condition=Ready",
                "--timeout=60s",
                "-n",
                DEMO,
                "sandboxclaim/alice-agent",
                "sandboxclaim/bob-agent"));
        String aliceSandbox = sandboxOf("alice-agent");
        String bobSandbox = sandboxOf("bob-agent");
        assertThat(aliceSandbox).isNotEqualTo(bobSandbox);
        assertThat(client.resources(Sandbox.class)
                        .inNamespace(DEMO)
                        .withName(aliceSandbox)
                        .get()
                        .getMetadata()
                        .getLabels())
                .as("adopted from the warm pool")
                .containsEntry("agents.x-k8s.io/launch-type", "warm");

        HttpResponse<String> aliceChat = chat(aliceSandbox, alice);
        assertThat(aliceChat.statusCode()).as(aliceChat.body()).isEqualTo(200);
        assertThat(aliceChat.body()).contains("alice's agent");
        HttpResponse<String> bobChat = chat(bobSandbox, bob);
        assertThat(bobChat.statusCode()).as(bobChat.body()).isEqualTo(200);
        assertThat(bobChat.body()).contains("bob's agent");
        HttpResponse<String> bobOnAlice = chat(aliceSandbox, bob);
        assertThat(bobOnAlice.statusCode()).as(bobOnAlice.body()).isEqualTo(403);

        assertOk(kubectl.run("scale", "swp", "kata-aks-warmpool", "-n", DEMO, "--replicas=4"));
        assertOk(kubectl.run(
                "wait",
                "--for=jsonpath={.status.readyReplicas}=4",
                "--timeout=80s",
                "-n",
                DEMO,
                "swp/kata-aks-warmpool"));
    }

    @Test
    @Order(4)
    void deletingAClaimDeletesItsSandboxAndTheGarbageCollectorItsPod() throws Exception {
        String sandbox = sandboxOf("alice-agent");
        assertOk(kubectl.run("delete", "sandboxclaim", "alice-agent", "-n", DEMO, "--wait=false"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.resources(Sandbox.class)
                                .inNamespace(DEMO)
                                .withName(sandbox)
                                .get()
                        == null);
        // no Pod left Terminating: the kubelet stops the process and finishes the graceful deletion
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.pods().inNamespace(DEMO).withName(sandbox).get() == null);
    }

    @Test
    @Order(5)
    void theWholeScenarioRanWithoutOneForbiddenRequest() throws Exception {
        List<JsonNode> events = auditEvents();
        Map<String, Long> byUser = events.stream()
                .collect(Collectors.groupingBy(
                        e -> e.path("user").path("username").asText(), Collectors.counting()));
        assertThat(byUser.getOrDefault(CONTROLLER_SA, 0L))
                .as("requests of the controller")
                .isGreaterThan(20);
        assertThat(byUser.getOrDefault(ROUTER_SA, 0L))
                .as("requests of the router")
                .isGreaterThan(2);
        List<String> forbidden = events.stream()
                .filter(e -> e.path("user").path("username").asText().startsWith("system:serviceaccount:" + SYSTEM))
                .filter(e -> e.path("responseStatus").path("code").asInt() == 403)
                .map(e -> e.path("user").path("username").asText() + " "
                        + e.path("verb").asText() + " " + e.path("requestURI").asText())
                .toList();
        assertThat(forbidden).as("403s in the audit log").isEmpty();
    }

    @Test
    @Order(6)
    void aMissingPermissionIsReportedOnTheSandboxNotSwallowed() throws Exception {
        ClusterRole role = client.rbac()
                .clusterRoles()
                .withName("agent-sandbox-controller")
                .get();
        ClusterRole original = client.rbac()
                .clusterRoles()
                .withName("agent-sandbox-controller")
                .get();
        for (PolicyRule rule : role.getRules()) {
            if (rule.getResources().contains("pods")) {
                rule.setVerbs(new ArrayList<>(rule.getVerbs()));
                rule.getVerbs().remove("create");
            }
        }
        client.resource(role).update();
        try {
            assertOk(kubectl.apply(
                    """
                    # restricted, as the namespace's Pod Security admission enforces
                    apiVersion: agents.x-k8s.io/v1beta1
                    kind: Sandbox
                    metadata:
                      name: no-pod-rights
                      namespace: %s
                    spec:
                      podTemplate:
                        spec:
                          securityContext:
                            runAsNonRoot: true
                            runAsUser: 1000
                            seccompProfile:
                              type: RuntimeDefault
                          containers:
                          - name: main
                            image: busybox
                            command: ["sleep", "3600"]
                            securityContext:
                              allowPrivilegeEscalation: false
                              capabilities:
                                drop: ["ALL"]
                    """
                            .formatted(DEMO)));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Sandbox s = client.resources(Sandbox.class)
                        .inNamespace(DEMO)
                        .withName("no-pod-rights")
                        .get();
                assertThat(s.getStatus()).isNotNull();
                var ready = s.getStatus().getConditions().stream()
                        .filter(c -> "Ready".equals(c.getType()))
                        .findFirst()
                        .orElseThrow();
                assertThat(ready.getStatus()).isEqualTo("False");
                assertThat(ready.getReason()).isEqualTo("ReconcilerError");
                assertThat(ready.getMessage()).contains("forbidden", "create", "pods");
            });
            // Events are written in the background, after the status
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<Event> events = client.v1()
                        .events()
                        .inNamespace(DEMO)
                        .withField("involvedObject.name", "no-pod-rights")
                        .list()
                        .getItems();
                assertThat(events).as("a Warning Event on the Sandbox").anySatisfy(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage()).contains("forbidden", "pods");
                });
            });
            assertThat(controllerLog()).as("the controller's log").contains("forbidden");
        } finally {
            original.getMetadata().setResourceVersion(null);
            client.resource(original).update();
        }
        // with the permission back, the next pass creates the Pod (an edit brings it before the back-off would)
        assertOk(kubectl.run("annotate", "sandbox", "no-pod-rights", "-n", DEMO, "kube-it/retry=now"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.pods()
                                .inNamespace(DEMO)
                                .withName("no-pod-rights")
                                .get()
                        != null);
    }

    private static String claim(String name, String owner) {
        return """
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxClaim
                metadata:
                  name: %s
                  namespace: %s
                  labels:
                    agents.x-k8s.io/owner: %s
                spec:
                  warmPoolRef:
                    name: kata-aks-warmpool
                """
                .formatted(name, DEMO, owner);
    }

    private static String sandboxOf(String claim) throws Exception {
        return kubectl.run("get", "sandboxclaim", claim, "-n", DEMO, "-o", "jsonpath={.status.sandbox.name}")
                .out();
    }

    /** A chat through one of the router's Pods, as the router's Service would send it. */
    private static HttpResponse<String> chat(String sandbox, String token) throws Exception {
        return PlatformOnKube.chat(client, DEMO, sandbox, token);
    }

    private static void awaitAvailable(String deployment, int replicas) {
        PlatformOnKube.awaitAvailable(client, deployment, replicas);
    }

    private static List<JsonNode> auditEvents() throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(plane.auditLog())) {
            if (!line.isBlank()) {
                events.add(JSON.readTree(line));
            }
        }
        return events;
    }

    private static java.util.Set<String> auditUsers() throws IOException {
        return auditEvents().stream()
                .map(e -> e.path("user").path("username").asText())
                .collect(Collectors.toSet());
    }

    private static String controllerLog() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> logs = Files.walk(kubeletDir.resolve("pods"))) {
            for (Path log : logs.filter(p -> p.toString().contains(SYSTEM + "_agent-sandbox-controller"))
                    .filter(Files::isRegularFile)
                    .toList()) {
                all.append(Files.readString(log));
            }
        }
        return all.toString();
    }

    private static void assertOk(Kubectl.Result result) {
        assertThat(result.exit()).as(result.toString()).isZero();
    }
}
