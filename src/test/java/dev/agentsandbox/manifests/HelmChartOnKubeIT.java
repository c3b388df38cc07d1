package dev.agentsandbox.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.local.Kubectl;
import dev.agentsandbox.local.controlplane.KubeBinaries;
import dev.agentsandbox.local.controlplane.KubeControlPlane;
import dev.agentsandbox.local.kubelet.ProcessKubelet;
import dev.agentsandbox.local.model.DemoModel;
import dev.agentsandbox.owner.token.OwnerTokens;
import dev.agentsandbox.testing.Helm;
import dev.agentsandbox.testing.PlatformOnKube;
import dev.agentsandbox.testing.RealControlPlane;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
 * The generated chart's life cycle on a real control plane, with Helm v4: installed as docs/operations.md says
 * (CRDs server-side, namespace and router token outside the release), the controller and the router as Pods of the
 * platform image running as their ServiceAccounts (RBAC enforced) until Ready, and a claim served end to end through
 * the router; an upgrade that changes the router's replicas, authentication mode and namespaces while the controller
 * keeps running; the CRD upgrade path (Helm leaves crds/ alone, server-side apply does not); and an uninstall that
 * leaves the CRDs, the users' objects and the Secrets in place.
 */
@ExtendWith({RealControlPlane.class, Helm.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmChartOnKubeIT {

    static final String SYSTEM = PlatformOnKube.SYSTEM;
    static final String DEMO = "helm-it-demo";
    static final String RELEASE = "agent-sandbox";
    static final String SHARED_TOKEN = "helm-it-shared-token";
    static final String SYSTEM_NODE = "helm-it";
    static final String KATA_NODE = "helm-it-kata";
    static final Duration ROLLOUT = PlatformOnKube.ROLLOUT;
    static final String CLAIM_CRD = "sandboxclaims.extensions.agents.x-k8s.io";

    static Path work;
    static KubernetesClient client;
    static Kubectl kubectl;
    static Helm helm;
    static DemoModel model;
    static ProcessKubelet kubelet;
    static String aliceToken;

    @BeforeAll
    static void startTheNodes() throws IOException {
        KubeControlPlane plane = RealControlPlane.get();
        client = plane.client("default");
        work = Files.createDirectories(Path.of("target", "helm-on-kube-it").toAbsolutePath());
        Path kubeconfig = plane.writeKubeconfig(work.resolve("admin.kubeconfig"), "default");
        kubectl = new Kubectl(
                KubeBinaries.configured().path("kubectl").toString(),
                kubeconfig,
                Files.createDirectories(work.resolve("kubectl-cache")));
        helm = new Helm(work.resolve("helm"), kubeconfig);
        model = DemoModel.start(Clock.systemUTC());
        kubelet = PlatformOnKube.nodes(client, work.resolve("kubelet"), SYSTEM_NODE, KATA_NODE);
    }

    @AfterAll
    static void removeWhatIsLeft() throws Exception {
        if (helm != null) {
            helm.run("uninstall", RELEASE, "--namespace", SYSTEM, "--ignore-not-found");
        }
        if (kubectl != null) {
            kubectl.run("delete", "namespace", DEMO, SYSTEM, "--wait=false", "--ignore-not-found");
        }
        PlatformOnKube.stopNodes(kubelet, client, SYSTEM_NODE, KATA_NODE);
        if (model != null) {
            model.close();
        }
    }

    @Test
    @Order(1)
    void theChartInstallsAndTheControllerAndRouterBecomeReady() throws Exception {
        // another test may still be deleting the platform it applied without Helm
        await().atMost(ROLLOUT).until(() -> client.namespaces().withName(SYSTEM).get() == null);
        applyCrds(Helm.CHART);
        assertOk(kubectl.run("create", "namespace", SYSTEM));
        client.secrets()
                .inNamespace(SYSTEM)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("sandbox-router-auth")
                        .endMetadata()
                        .withStringData(Map.of("token", SHARED_TOKEN))
                        .build())
                .create();

        assertOk(helm.run(
                "install",
                RELEASE,
                Helm.CHART.toString(),
                "--namespace",
                SYSTEM,
                "--skip-crds",
                "--set",
                "namespace.create=false,router.replicas=1,controller.leaderElection=false"));

        awaitAvailable("agent-sandbox-controller", 1);
        awaitAvailable("sandbox-router-deployment", 1);
        Kubectl.Result status = helm.run("status", RELEASE, "--namespace", SYSTEM);
        assertOk(status);
        assertThat(status.out()).contains("STATUS: deployed", "REVISION: 1");
    }

    @Test
    @Order(2)
    void aClaimIsServedEndToEndThroughTheRouter() throws Exception {
        assertOk(kubectl.apply(
                """
                apiVersion: node.k8s.io/v1
                kind: RuntimeClass
                metadata:
                  name: kata-vm-isolation
                handler: kata
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                """
                        .formatted(DEMO)));
        client.secrets()
                .inNamespace(DEMO)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("azure-foundry")
                        .endMetadata()
                        .withStringData(model.settings())
                        .build())
                .create();
        // the kata-aks template as it is, in this test's namespace, and a pool of one
        String template = Files.readString(Path.of("deploy", "kata-aks", "sandbox-template.yaml"))
                .replace("namespace: sandbox-agent-demo", "namespace: " + DEMO);
        assertOk(kubectl.apply(template));
        assertOk(kubectl.apply(
                """
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxWarmPool
                metadata:
                  name: helm-pool
                  namespace: %s
                spec:
                  replicas: 1
                  sandboxTemplateRef:
                    name: kata-aks-template
                ---
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxClaim
                metadata:
                  name: alice-agent
                  namespace: %s
                  labels:
                    agents.x-k8s.io/owner: alice
                spec:
                  warmPoolRef:
                    name: helm-pool
                """
                        .formatted(DEMO, DEMO)));
        assertOk(
                kubectl.run("wait", "--for=condition=Ready", "--timeout=120s", "-n", DEMO, "sandboxclaim/alice-agent"));

        HttpResponse<String> chat = chat(DEMO, sandboxOfAlice(), SHARED_TOKEN);
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        assertThat(chat.body()).contains("alice's agent");
        assertThat(client.leases().inNamespace(SYSTEM).list().getItems())
                .as("controller.leaderElection=false: the controller reconciled without a Lease")
                .isEmpty();
    }

    @Test
    @Order(3)
    void anUpgradeChangesTheRoutersReplicasAuthAndNamespacesWhileTheControllerKeepsRunning() throws Exception {
        aliceToken = OwnerTokens.issue(client, SYSTEM, OwnerTokens.DEFAULT_SECRET_NAME, "alice");
        Pod controller = controllerPod();
        Set<String> outages = ConcurrentHashMap.newKeySet();
        Thread watch = new Thread(() -> watchController(controller, outages), "helm-it-controller-watch");
        watch.start();
        try {
            assertOk(helm.run(
                    "upgrade",
                    RELEASE,
                    Helm.CHART.toString(),
                    "--namespace",
                    SYSTEM,
                    "--reuse-values",
                    "--set",
                    "router.replicas=2,router.auth.sharedToken.enabled=false,router.auth.ownerTokens.enabled=true",
                    "--set",
                    "router.allNamespaces=false,router.namespaces={" + DEMO + "}"));
            awaitAvailable("sandbox-router-deployment", 2);
            await().atMost(ROLLOUT).until(() -> PlatformOnKube.routerPods(client).stream()
                    .allMatch(p -> env(p).containsKey("SANDBOX_ROUTER_OWNER_TOKENS_ENABLED")));
        } finally {
            watch.interrupt();
            watch.join();
        }
        assertThat(outages)
                .as("moments the controller was not running and Ready")
                .isEmpty();
        assertThat(controllerPod().getMetadata().getUid())
                .as("the same controller Pod")
                .isEqualTo(controller.getMetadata().getUid());
        assertThat(client.rbac()
                        .clusterRoleBindings()
                        .withName("sandbox-router")
                        .get())
                .isNull();
        assertThat(client.rbac()
                        .roleBindings()
                        .inNamespace(DEMO)
                        .withName("sandbox-router")
                        .get())
                .isNotNull();

        HttpResponse<String> asAlice = settled(DEMO, sandboxOfAlice(), aliceToken);
        assertThat(asAlice.statusCode()).as(asAlice.body()).isEqualTo(200);
        assertThat(asAlice.body()).contains("alice's agent");
        assertThat(settled(DEMO, sandboxOfAlice(), SHARED_TOKEN).statusCode())
                .as("the shared token is off")
                .isEqualTo(401);
        assertThat(settled("default", "anything", aliceToken).statusCode())
                .as("a namespace the router does not serve")
                .isEqualTo(403);
        assertThat(helm.run("history", RELEASE, "--namespace", SYSTEM).out()).contains("deployed", "superseded");
    }

    @Test
    @Order(4)
    void newCrdsReachTheClusterByServerSideApplyNotByHelmUpgrade() throws Exception {
        Path next = work.resolve("chart-next");
        copy(Helm.CHART, next);
        Path claimCrd = next.resolve("crds").resolve(CLAIM_CRD + "-v1.yml");
        Files.writeString(
                claimCrd,
                Files.readString(claimCrd)
                        .replace(
                                "metadata:\n  name: \"" + CLAIM_CRD + "\"",
                                "metadata:\n  name: \"" + CLAIM_CRD + "\"\n  labels:\n    helm-it/crd-revision: next"));

        assertOk(helm.run("upgrade", RELEASE, next.toString(), "--namespace", SYSTEM, "--reuse-values"));
        assertThat(crdLabels()).as("Helm leaves crds/ alone").doesNotContainKey("helm-it/crd-revision");

        applyCrds(next);
        assertThat(crdLabels()).containsEntry("helm-it/crd-revision", "next");

        // the chart's own CRDs again, by the same field manager: the field it no longer sets goes
        applyCrds(Helm.CHART);
        assertThat(crdLabels()).doesNotContainKey("helm-it/crd-revision");
    }

    @Test
    @Order(5)
    void uninstallLeavesTheCrdsTheUsersObjectsAndTheSecrets() throws Exception {
        assertOk(helm.run("uninstall", RELEASE, "--namespace", SYSTEM, "--wait"));

        await().atMost(ROLLOUT).until(() -> client.apps()
                .deployments()
                .inNamespace(SYSTEM)
                .list()
                .getItems()
                .isEmpty());
        assertThat(client.rbac().clusterRoles().withName("sandbox-router").get())
                .isNull();
        assertThat(client.rbac()
                        .clusterRoles()
                        .withName("agent-sandbox-controller")
                        .get())
                .isNull();
        assertThat(client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .list()
                        .getItems())
                .extracting(crd -> crd.getMetadata().getName())
                .contains(CLAIM_CRD, "sandboxes.agents.x-k8s.io");
        assertThat(client.resources(SandboxClaim.class)
                        .inNamespace(DEMO)
                        .withName("alice-agent")
                        .get())
                .isNotNull();
        assertThat(client.resources(Sandbox.class)
                        .inNamespace(DEMO)
                        .withName(sandboxOfAlice())
                        .get())
                .isNotNull();
        assertThat(client.resources(SandboxTemplate.class)
                        .inNamespace(DEMO)
                        .list()
                        .getItems())
                .hasSize(1);
        assertThat(client.resources(SandboxWarmPool.class)
                        .inNamespace(DEMO)
                        .list()
                        .getItems())
                .hasSize(1);
        assertThat(client.namespaces().withName(SYSTEM).get()).isNotNull();
        assertThat(client.secrets().inNamespace(SYSTEM).list().getItems())
                .extracting(s -> s.getMetadata().getName())
                .contains("sandbox-router-auth", OwnerTokens.DEFAULT_SECRET_NAME);
    }

    /** Samples the controller until interrupted; records every moment it was not its one Ready, running Pod. */
    private static void watchController(Pod before, Set<String> outages) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Deployment d = client.apps()
                        .deployments()
                        .inNamespace(SYSTEM)
                        .withName("agent-sandbox-controller")
                        .get();
                Integer available = d.getStatus().getAvailableReplicas();
                if (available == null || available < 1) {
                    outages.add("no available replica");
                }
                Pod now = client.pods()
                        .inNamespace(SYSTEM)
                        .withName(before.getMetadata().getName())
                        .get();
                if (now == null || now.getMetadata().getDeletionTimestamp() != null || !PlatformOnKube.ready(now)) {
                    outages.add("pod " + before.getMetadata().getName() + " gone or not Ready");
                }
                TimeUnit.MILLISECONDS.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Pod controllerPod() {
        List<Pod> pods = client.pods()
                .inNamespace(SYSTEM)
                .withLabel("app.kubernetes.io/name", "agent-sandbox-controller")
                .list()
                .getItems();
        assertThat(pods).hasSize(1);
        return pods.get(0);
    }

    private static Map<String, String> env(Pod pod) {
        return pod.getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "(from)" : e.getValue()));
    }

    private static Map<String, String> crdLabels() {
        Map<String, String> labels = client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(CLAIM_CRD)
                .get()
                .getMetadata()
                .getLabels();
        return labels == null ? Map.of() : labels;
    }

    private static String sandboxOfAlice() throws Exception {
        return kubectl.run("get", "sandboxclaim", "alice-agent", "-n", DEMO, "-o", "jsonpath={.status.sandbox.name}")
                .out();
    }

    /** The chart's crds/ by server-side apply, as docs/operations.md says to before every install and upgrade. */
    private static void applyCrds(Path chart) throws Exception {
        assertOk(kubectl.run(
                "apply",
                "--server-side",
                "--force-conflicts",
                "--field-manager=agent-sandbox-deploy",
                "-f",
                chart.resolve("crds").toString()));
    }

    private static HttpResponse<String> chat(String namespace, String sandbox, String token) throws Exception {
        return PlatformOnKube.chat(client, namespace, sandbox, token);
    }

    /**
     * A chat once the router answers it for good: a new router Pod is Ready (its /healthz) before it has read the
     * owner-token Secret, and until then answers 503 with Retry-After, as docs/router.md says clients should retry.
     */
    private static HttpResponse<String> settled(String namespace, String sandbox, String token) {
        return await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> chat(namespace, sandbox, token), response -> response.statusCode() != 503);
    }

    private static void awaitAvailable(String deployment, int replicas) {
        PlatformOnKube.awaitAvailable(client, deployment, replicas);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void assertOk(Kubectl.Result result) {
        assertThat(result.exit()).as(result.toString()).isZero();
    }
}
