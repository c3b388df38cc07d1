package dev.agentsandbox.controller.warmpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.local.Kubectl;
import dev.agentsandbox.local.LocalModeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The warm pool and claim controllers seen from outside: the packaged application's {@code local --serve} driven
 * with the installed kubectl (issues 5 and 6 share one local-mode process to keep the run short). Members run a
 * Python HTTP server on their pod IP with a readiness probe, so Ready means the process really serves. Runs in
 * {@code verify} (failsafe); skipped when kubectl is not installed.
 */
class WarmPoolKubectlIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(60);
    static LocalModeProcess local;
    static Kubectl kubectl;

    @BeforeAll
    static void startLocalMode() throws Exception {
        assumeTrue(
                Kubectl.installed(),
                "kubectl is not installed: the kubectl tests of the warm pool and claim " + "controllers are skipped");
        assumeTrue(
                Files.isRegularFile(LocalModeProcess.JAR),
                "run ./mvnw package first: " + LocalModeProcess.JAR + " is missing");
        Path dir = Files.createTempDirectory("warmpool-kubectl-it");
        local = LocalModeProcess.start(dir, Duration.ofSeconds(5), Duration.ofSeconds(180));
        kubectl = new Kubectl(local.kubeconfig(), dir.resolve("kubectl-cache"));
    }

    @AfterAll
    static void stopLocalMode() throws Exception {
        if (local != null) {
            local.close();
        }
    }

    @Test
    void poolOfThreeGetsTheDefaultNetworkPolicyAndFollowsKubectlScale() throws Exception {
        String ns = "pool-kubectl-it";
        createNamespace(ns);
        apply(templateAndPool(ns, "web", 3));

        await().until(() -> readyReplicas(ns, "web-pool") == 3);
        assertThat(kubectl.run("get", "swp", "web-pool", "-n", ns, "-o", "jsonpath={.status.replicas}")
                        .out())
                .isEqualTo("3");
        JsonNode policy = json("get", "networkpolicy", "web-network-policy", "-n", ns, "-o", "json");
        assertThat(policy.path("spec")
                        .path("podSelector")
                        .path("matchLabels")
                        .path(Labels.SANDBOX_TEMPLATE_REF_HASH)
                        .asText())
                .isEqualTo(NameHash.of("web"));
        assertThat(policy.path("spec").path("policyTypes")).isEqualTo(JSON.readTree("[\"Ingress\", \"Egress\"]"));
        assertThat(policy.path("spec").path("ingress").findValuesAsText("app")).containsExactly("sandbox-router");
        // The members' Pods carry the label the policy selects them by.
        JsonNode pods = json(
                "get",
                "pods",
                "-n",
                ns,
                "-l",
                Labels.SANDBOX_TEMPLATE_REF_HASH + "=" + NameHash.of("web"),
                "-o",
                "json");
        assertThat(pods.path("items")).hasSize(3);

        Kubectl.Result up = kubectl.run("scale", "swp", "web-pool", "-n", ns, "--replicas=6");
        assertThat(up.ok()).as("%s", up).isTrue();
        await().until(() -> readyReplicas(ns, "web-pool") == 6);
        assertThat(poolMembers(ns, "web-pool")).hasSize(6);

        Kubectl.Result down = kubectl.run("scale", "swp", "web-pool", "-n", ns, "--replicas=1");
        assertThat(down.ok()).as("%s", down).isTrue();
        await().until(() -> readyReplicas(ns, "web-pool") == 1
                && poolMembers(ns, "web-pool").size() == 1);
        assertThat(kubectl.run("get", "swp", "web-pool", "-n", ns, "-o", "jsonpath={.status.replicas}")
                        .out())
                .isEqualTo("1");
    }

    @Test
    void claimOnAReadyPoolIsWarmAndABurstLargerThanThePoolIsAllReady() throws Exception {
        String ns = "claim-kubectl-it";
        createNamespace(ns);
        apply(templateAndPool(ns, "web", 2));
        await().until(() -> readyReplicas(ns, "web-pool") == 2);

        apply(claim(ns, "first"));
        await().until(() -> claimReady(ns, "first"));
        String first = sandboxOf(ns, "first");
        assertThat(kubectl.run(
                                "get",
                                "sandbox",
                                first,
                                "-n",
                                ns,
                                "-o",
                                "jsonpath={.metadata.labels.agents\\.x-k8s\\.io/launch-type}")
                        .out())
                .isEqualTo("warm");
        assertThat(kubectl.run("get", "pod", first, "-n", ns, "-o", "jsonpath={.status.phase}")
                        .out())
                .as("the adopted member's Pod keeps running")
                .isEqualTo("Running");

        // A burst larger than the (refilling) pool: every claim Ready, each with its own Sandbox.
        await().until(() -> readyReplicas(ns, "web-pool") == 2);
        List<String> burst = IntStream.range(0, 5).mapToObj(i -> "burst-" + i).toList();
        apply(String.join("---\n", burst.stream().map(n -> claim(ns, n)).toList()));
        await().until(() -> allReady(ns, burst));
        Set<String> sandboxes = new HashSet<>();
        sandboxes.add(first);
        for (String name : burst) {
            String sandbox = sandboxOf(ns, name);
            assertThat(sandboxes.add(sandbox))
                    .as("sandbox %s given to two claims", sandbox)
                    .isTrue();
            assertThat(kubectl.run(
                                    "get",
                                    "sandbox",
                                    sandbox,
                                    "-n",
                                    ns,
                                    "-o",
                                    "jsonpath={.status.conditions[?(@.type" + "=='Ready')].status}")
                            .out())
                    .as("sandbox %s of claim %s", sandbox, name)
                    .isEqualTo("True");
        }
        assertThat(sandboxes).hasSize(6);
    }

    // --- fixtures

    /**
     * A template whose container local mode can run (a Python HTTP server on the pod IP, with a readiness probe)
     * and a pool of it named {@code <template>-pool}.
     */
    static String templateAndPool(String ns, String template, int replicas) {
        return """
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxTemplate
                metadata: {name: %1$s, namespace: %2$s}
                spec:
                  podTemplate:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                      - name: web
                        image: python:3.12-slim
                        command: ["python3", "-m", "http.server", "8000", "--bind", "$(POD_IP)"]
                        env:
                        - name: POD_IP
                          valueFrom: {fieldRef: {fieldPath: status.podIP}}
                        ports: [{name: http, containerPort: 8000}]
                        readinessProbe:
                          httpGet: {path: /, port: http}
                          periodSeconds: 1
                ---
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxWarmPool
                metadata: {name: %1$s-pool, namespace: %2$s}
                spec:
                  replicas: %3$d
                  sandboxTemplateRef: {name: %1$s}
                """
                .formatted(template, ns, replicas);
    }

    static String claim(String ns, String name) {
        return """
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxClaim
                metadata: {name: %s, namespace: %s}
                spec:
                  warmPoolRef: {name: web-pool}
                """
                .formatted(name, ns);
    }

    // --- helpers

    private static ConditionFactory await() {
        return Awaitility.await()
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions();
    }

    private static void createNamespace(String ns) throws Exception {
        Kubectl.Result created = kubectl.run("create", "namespace", ns);
        assertThat(created.ok()).as("%s", created).isTrue();
    }

    private static void apply(String yaml) throws Exception {
        Kubectl.Result applied = kubectl.apply(yaml);
        assertThat(applied.ok()).as("%s", applied).isTrue();
    }

    static JsonNode json(String... args) throws Exception {
        Kubectl.Result r = kubectl.run(args);
        assertThat(r.ok()).as("%s", r).isTrue();
        return JSON.readTree(r.out());
    }

    private static int readyReplicas(String ns, String pool) throws Exception {
        String out = kubectl.run("get", "swp", pool, "-n", ns, "-o", "jsonpath={.status.readyReplicas}")
                .out();
        return out.isBlank() ? 0 : Integer.parseInt(out.trim());
    }

    private static List<String> poolMembers(String ns, String pool) throws Exception {
        String out = kubectl.run(
                        "get",
                        "sandboxes",
                        "-n",
                        ns,
                        "-l",
                        Labels.WARM_POOL_SANDBOX + "=" + NameHash.of(pool),
                        "-o",
                        "jsonpath={.items[*].metadata.name}")
                .out();
        return out.isBlank() ? List.of() : List.of(out.trim().split("\\s+"));
    }

    private static boolean claimReady(String ns, String claim) throws Exception {
        return kubectl.run(
                        "get",
                        "sandboxclaim",
                        claim,
                        "-n",
                        ns,
                        "-o",
                        "jsonpath={.status.conditions[?(@.type=='Ready')].status}")
                .out()
                .equals("True");
    }

    private static boolean allReady(String ns, List<String> claims) throws Exception {
        for (String claim : claims) {
            if (!claimReady(ns, claim)) {
                return false;
            }
        }
        return true;
    }

    private static String sandboxOf(String ns, String claim) throws Exception {
        String name = kubectl.run("get", "sandboxclaim", claim, "-n", ns, "-o", "jsonpath={.status.sandbox.name}")
                .out();
        assertThat(name).as("claim %s names its sandbox", claim).isNotBlank();
        return name;
    }
}
