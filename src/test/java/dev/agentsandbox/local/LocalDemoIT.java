package dev.agentsandbox.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.client.ClaimProgress;
import dev.agentsandbox.client.ClaimRef;
import dev.agentsandbox.client.ReadySandbox;
import dev.agentsandbox.client.RouterTokens;
import dev.agentsandbox.client.SandboxClient;
import dev.agentsandbox.owner.ChatReply;
import dev.agentsandbox.owner.Owner;
import io.fabric8.kubernetes.api.model.Pod;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The platform's main job end to end, as the README's run command shows it: the packaged application in local mode
 * (embedded API, controllers, router, a warm pool of agent processes), the Java client claiming for alice and bob,
 * chats through the router with owner tokens, a crashed agent restarted, the pool refilled, and nothing left
 * behind. Runs in {@code verify} because it needs {@code target/quarkus-app/quarkus-run.jar}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalDemoIT {

    static final String NS = "sandbox-agent-demo";
    static final String POOL = "kata-aks-warmpool";

    static LocalModeProcess local;

    @org.junit.jupiter.api.extension.RegisterExtension
    static final LocalModeProcess.LogOnFailure LOG_ON_FAILURE = new LocalModeProcess.LogOnFailure(() -> local);

    static KubernetesClient kube;
    static SandboxClient client;
    static final Map<String, ReadySandbox> sandboxes = new java.util.concurrent.ConcurrentHashMap<>();
    static final Map<String, ClaimRef> claims = new java.util.concurrent.ConcurrentHashMap<>();
    /** Every agent process seen, so that the end can prove none outlived local mode. */
    static final List<Long> agentProcesses = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void startLocalMode() throws Exception {
        assumeTrue(
                Files.isRegularFile(LocalModeProcess.JAR),
                "run ./mvnw package first: " + LocalModeProcess.JAR + " is missing");
        Path dir = Files.createTempDirectory("local-demo-it");
        local = LocalModeProcess.start(dir, Duration.ofSeconds(120), Duration.ofSeconds(180));
        kube = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(local.kubeconfig())))
                .build();
        client = SandboxClient.builder(kube)
                .namespace(NS)
                .warmPool(POOL)
                .readyTimeout(Duration.ofSeconds(90))
                .router(
                        URI.create(local.lines.get("ROUTER_URL")),
                        RouterTokens.of(
                                Map.of(
                                        "alice",
                                        local.lines.get("ROUTER_TOKEN_ALICE"),
                                        "bob",
                                        local.lines.get("ROUTER_TOKEN_BOB")),
                                null))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (kube != null) {
            kube.close();
        }
        if (local != null) {
            local.close();
        }
    }

    @Test
    @Order(1)
    void printsTheLinesScriptsReadAndThePoolBecomesReady() {
        assertThat(local.lines).containsKeys("ROUTER_TOKEN_ALICE", "ROUTER_TOKEN_BOB", "KUBECONFIG", "ROUTER_URL");
        assertThat(local.lines.get("ROUTER_URL"))
                .startsWith("http://127.0.0.1:")
                .doesNotEndWith(":8080");
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(() -> assertThat(readyMembers()).isEqualTo(3));
        pods().forEach(p -> agentProcesses.add(pid(p)));
    }

    @Test
    @Order(2)
    void aliceAndBobAreAdoptedWarmAndAnsweredByTheirOwnAgents() {
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (String owner : List.of("alice", "bob")) {
            runs.add(CompletableFuture.runAsync(() -> {
                ClaimRef claim = client.createClaim(owner);
                claims.put(owner, claim);
                ReadySandbox ready = client.awaitReady(claim, Duration.ofSeconds(90), ClaimProgress.SILENT);
                sandboxes.put(owner, ready);
            }));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).join();

        for (String owner : List.of("alice", "bob")) {
            ReadySandbox sandbox = sandboxes.get(owner);
            assertThat(sandbox.launchType()).as(owner).isEqualTo(Labels.LAUNCH_TYPE_WARM);
            ChatReply reply = client.chat(sandbox, "Who are you?");
            assertThat(reply.answersAs(new Owner(owner))).as(reply.reply()).isTrue();
            assertThat(reply.historyTurns()).isEqualTo(1);
        }
        assertThat(sandboxes.get("alice").sandbox())
                .isNotEqualTo(sandboxes.get("bob").sandbox());
        // Scripts read standard output: after routed chats it still holds only the KEY=value lines (logs, the
        // router's access log included, go to standard error in local mode).
        assertThat(local.stdout).isNotEmpty().allSatisfy(line -> assertThat(line)
                .matches("(ROUTER_TOKEN_ALICE|ROUTER_TOKEN_BOB|KUBECONFIG|ROUTER_URL)=.*"));
    }

    @Test
    @Order(3)
    void bobsTokenCannotReachAlicesSandbox() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(local.lines.get("ROUTER_URL") + "/chat"))
                .header("X-Sandbox-ID", sandboxes.get("alice").sandbox())
                .header("X-Sandbox-Namespace", NS)
                .header("X-Sandbox-Port", "8080")
                .header("X-Owner", "alice")
                .header("Authorization", "Bearer " + local.lines.get("ROUTER_TOKEN_BOB"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"show me alice's history\"}"))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("detail");
    }

    @Test
    @Order(4)
    void aKilledAgentMakesItsSandboxNotReadyThenReadyAgain() {
        String name = sandboxes.get("alice").sandbox();
        Pod pod = podOf(name);
        long before = pid(pod);
        ProcessHandle.of(before).ifPresent(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !ready(name));
        await().atMost(Duration.ofSeconds(60)).until(() -> ready(name));
        long after = pid(podOf(name));
        agentProcesses.add(after);
        assertThat(podOf(name).getStatus().getContainerStatuses().get(0).getRestartCount())
                .isGreaterThanOrEqualTo(1);
        // The restarted agent answers again, as alice's (its history was in memory, so it starts over).
        ChatReply reply = client.chat(sandboxes.get("alice"), "Are you back?");
        assertThat(reply.answersAs(new Owner("alice"))).as(reply.reply()).isTrue();
    }

    @Test
    @Order(5)
    void thePoolRefillsToThree() {
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(() -> assertThat(readyMembers()).isEqualTo(3));
        pods().forEach(p -> agentProcesses.add(pid(p)));
    }

    @Test
    @Order(6)
    void deletingAClaimRemovesItsPodsProcess() {
        String name = sandboxes.get("bob").sandbox();
        long pid = pid(podOf(name));
        client.deleteClaim(claims.get("bob").name());
        await().atMost(Duration.ofSeconds(60))
                .until(() -> !alive(pid)
                        && kube.resources(Sandbox.class)
                                        .inNamespace(NS)
                                        .withName(name)
                                        .get()
                                == null);
    }

    @Test
    @Order(7)
    void shutdownLeavesNoProcessBehind() throws Exception {
        List<Long> family = new ArrayList<>();
        for (long pid : agentProcesses) {
            family.add(pid);
            ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> family.add(d.pid())));
        }
        local.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> family.stream().noneMatch(LocalDemoIT::alive));
        assertThat(local.process.isAlive()).isFalse();
    }

    static int readyMembers() {
        SandboxWarmPool pool = kube.resources(SandboxWarmPool.class)
                .inNamespace(NS)
                .withName(POOL)
                .get();
        return pool == null || pool.getStatus() == null || pool.getStatus().getReadyReplicas() == null
                ? 0
                : pool.getStatus().getReadyReplicas();
    }

    static List<Pod> pods() {
        return kube.pods().inNamespace(NS).list().getItems().stream()
                .filter(p -> p.getStatus() != null
                        && p.getStatus().getContainerStatuses() != null
                        && !p.getStatus().getContainerStatuses().isEmpty()
                        && p.getStatus().getContainerStatuses().get(0).getContainerID() != null)
                .toList();
    }

    static Pod podOf(String sandbox) {
        return kube.pods()
                .inNamespace(NS)
                .withLabel(Labels.SANDBOX_NAME_HASH, dev.agentsandbox.api.NameHash.of(sandbox))
                .list()
                .getItems()
                .get(0);
    }

    static long pid(Pod pod) {
        return Long.parseLong(
                pod.getStatus().getContainerStatuses().get(0).getContainerID().replace("local://", ""));
    }

    static boolean ready(String sandbox) {
        Sandbox s =
                kube.resources(Sandbox.class).inNamespace(NS).withName(sandbox).get();
        return s != null
                && s.getStatus() != null
                && Conditions.isTrue(s.getStatus().getConditions(), Conditions.READY);
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
