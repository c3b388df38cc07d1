package dev.agentsandbox.local.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.local.Kubectl;
import dev.agentsandbox.local.LocalModeProcess;
import dev.agentsandbox.testing.RealControlPlane;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code local --control-plane=kube}: the same platform and the same printed lines on a real control plane, driven
 * with the kubectl of that release; and the demo passing on it.
 */
@ExtendWith(RealControlPlane.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalModeOnKubeIT {

    static LocalModeProcess local;
    static Kubectl kubectl;

    @RegisterExtension
    static final LocalModeProcess.LogOnFailure LOG_ON_FAILURE = new LocalModeProcess.LogOnFailure(() -> local);

    @BeforeAll
    static void serveOnARealControlPlane() throws Exception {
        Path dir = Files.createTempDirectory("local-on-kube-it");
        local = LocalModeProcess.start(
                dir, Duration.ofSeconds(120), Duration.ofSeconds(240), Map.of(), List.of("--control-plane=kube"));
        kubectl = new Kubectl(
                KubeBinaries.configured().path("kubectl").toString(),
                local.kubeconfig(),
                Files.createDirectories(dir.resolve("kubectl-cache")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (local != null) {
            local.close();
        }
    }

    @Test
    @Order(1)
    void servePrintsTheSameFourLines() {
        assertThat(local.lines).containsKeys("ROUTER_TOKEN_ALICE", "ROUTER_TOKEN_BOB", "KUBECONFIG", "ROUTER_URL");
        assertThat(local.stdout).hasSize(4);
    }

    @Test
    @Order(2)
    void kubectlSeesTheRealServerAndWaitsForAClaim() throws Exception {
        Kubectl.Result version = kubectl.run("version", "-o", "json");
        assertThat(version.out()).as(version.toString()).contains("\"gitVersion\": \"" + KubeBinaries.VERSION + "\"");
        Kubectl.Result sandboxes = kubectl.run("get", "sandboxes", "-A");
        assertThat(sandboxes.ok()).as(sandboxes.toString()).isTrue();
        assertThat(sandboxes.out()).contains("kata-aks-warmpool-");
        Kubectl.Result nodes = kubectl.run("get", "nodes");
        assertThat(nodes.out()).contains("Ready");
        Kubectl.Result created = kubectl.apply(
                """
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxClaim
                metadata:
                  name: waited
                  namespace: sandbox-agent-demo
                  labels:
                    agents.x-k8s.io/owner: alice
                spec:
                  warmPoolRef:
                    name: kata-aks-warmpool
                """);
        assertThat(created.ok()).as(created.toString()).isTrue();
        Kubectl.Result waited = kubectl.run(
                "wait", "--for=condition=Ready", "sandboxclaim/waited", "-n", "sandbox-agent-demo", "--timeout=60s");
        assertThat(waited.ok()).as(waited.toString()).isTrue();
    }

    /** The README's first command with the option: the demo claims, chats, checks and exits 0. */
    @Test
    @Order(3)
    void theDemoPassesOnARealControlPlane() throws Exception {
        // one local mode at a time on two cores; and a kill -9 of local mode takes its control plane with it
        Path servedFrom = local.dataDir;
        local.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        local = null;
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
                        ProcessHandle.allProcesses()
                                .filter(p -> p.info().commandLine().orElse("").contains(servedFrom.toString()))
                                .map(p -> p.info().commandLine().orElse(""))
                                .toList())
                .as("processes of the killed local mode (etcd, kube-apiserver, Pods)")
                .isEmpty());
        Path dir = Files.createTempDirectory("local-demo-on-kube-it");
        Process demo = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dsandbox.local.data-dir=" + dir,
                        "-Dquarkus.http.port=0",
                        "-Dsandbox.router.port=0",
                        "-jar",
                        LocalModeProcess.JAR.toString(),
                        "local",
                        "--control-plane=kube")
                .redirectError(dir.resolve("local.log").toFile())
                .start();
        demo.getOutputStream().close();
        String out = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(demo.waitFor(240, TimeUnit.SECONDS)).as("the demo ended").isTrue();
        assertThat(demo.exitValue())
                .as(out + "\n" + LocalModeProcess.tail(dir.resolve("local.log")))
                .isZero();
        assertThat(out).contains("alice: OK", "bob: OK", "demo passed");
    }
}
