package dev.agentsandbox.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.client.ClaimProgress;
import dev.agentsandbox.client.ClaimRef;
import dev.agentsandbox.client.ReadySandbox;
import dev.agentsandbox.client.RouterTokens;
import dev.agentsandbox.client.SandboxClient;
import dev.agentsandbox.client.SandboxClientException;
import dev.agentsandbox.owner.ChatReply;
import dev.agentsandbox.owner.Owner;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An agent process killed while it is in the middle of a chat: local mode with the agents on a model server of this
 * test, which holds any prompt containing "slow" until the test ends. The client's chat in flight gets a clear
 * error (the router's 502, naming the sandbox) within seconds, not a hang; the Pod's process is restarted, the
 * sandbox is Ready again and answers, and its history holds no trace of the interrupted turn.
 */
class AgentKilledMidChatIT {

    static final String NS = "sandbox-agent-demo";
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theClientGetsAClearErrorAndTheRestartedAgentCarriesOn() throws Exception {
        assumeTrue(
                Files.isRegularFile(LocalModeProcess.JAR),
                "run ./mvnw package first: " + LocalModeProcess.JAR + " is missing");
        CountDownLatch slowPromptArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer model = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        model.setExecutor(Executors.newCachedThreadPool());
        model.createContext("/v1/chat/completions", exchange -> answer(exchange, slowPromptArrived, release));
        model.start();
        Path dir = Files.createTempDirectory("agent-killed-it");
        try (LocalModeProcess local = LocalModeProcess.start(
                        dir,
                        Duration.ofSeconds(120),
                        Duration.ofSeconds(180),
                        Map.of(
                                "OPENAI_BASE_URL",
                                "http://127.0.0.1:" + model.getAddress().getPort() + "/v1",
                                "OPENAI_API_KEY",
                                "test-key-not-a-secret",
                                "LLM_MODEL",
                                "held-model"));
                KubernetesClient kube = new KubernetesClientBuilder()
                        .withConfig(Config.fromKubeconfig(Files.readString(local.kubeconfig())))
                        .build()) {
            try {
                killMidChat(local, kube, slowPromptArrived);
            } catch (Exception | AssertionError e) {
                throw local.withLogWarnings(e);
            }
        } finally {
            release.countDown();
            model.stop(0);
        }
    }

    private static void killMidChat(LocalModeProcess local, KubernetesClient kube, CountDownLatch slowPromptArrived)
            throws Exception {
        SandboxClient client = SandboxClient.builder(kube)
                .namespace(NS)
                .warmPool("kata-aks-warmpool")
                .readyTimeout(Duration.ofSeconds(90))
                .router(
                        URI.create(local.lines.get("ROUTER_URL")),
                        RouterTokens.of(Map.of("alice", local.lines.get("ROUTER_TOKEN_ALICE")), null))
                .build();
        ClaimRef claim = client.createClaim("alice");
        ReadySandbox sandbox = client.awaitReady(claim, Duration.ofSeconds(90), ClaimProgress.SILENT);
        ChatReply first = client.chat(sandbox, "hello");
        assertThat(first.answersAs(new Owner("alice"))).as(first.reply()).isTrue();
        assertThat(first.historyTurns()).isEqualTo(1);

        CompletableFuture<ChatReply> inFlight =
                CompletableFuture.supplyAsync(() -> client.chat(sandbox, "a slow question"));
        assertThat(slowPromptArrived.await(30, TimeUnit.SECONDS))
                .as("the agent is waiting for the model")
                .isTrue();
        Pod pod = kube.pods().inNamespace(NS).withName(sandbox.sandbox()).get();
        long pid = Long.parseLong(
                pod.getStatus().getContainerStatuses().get(0).getContainerID().replace("local://", ""));
        long killedAt = System.nanoTime();
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));

        Throwable failure = await().atMost(Duration.ofSeconds(20))
                .until(() -> inFlight.handle((r, e) -> e).getNow(null), e -> e != null);
        long failedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        assertThat(cause).isInstanceOf(SandboxClientException.class);
        assertThat(cause.getMessage()).contains("502").contains(sandbox.sandbox());

        // The kubelet restarts the process (restartCount 1, Pod Ready again); until the new agent listens, a
        // client gets 502 "could not connect", and retries as any client would.
        await().atMost(Duration.ofSeconds(90)).until(() -> restartedAndReady(kube, sandbox.sandbox()));
        ChatReply after = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> client.chat(sandbox, "are you back?"), r -> r != null);
        assertThat(after.answersAs(new Owner("alice"))).as(after.reply()).isTrue();
        // the restarted process started a new history: the interrupted turn left nothing half-written
        assertThat(after.historyTurns()).isEqualTo(1);
        System.out.printf(
                "RELIABILITY agent-killed-mid-chat clientFailedAfterMs=%d error=\"%s\"%n",
                failedAfterMillis, cause.getMessage());
        client.deleteClaim(claim.name());
    }

    private static boolean restartedAndReady(KubernetesClient kube, String name) {
        Pod pod = kube.pods().inNamespace(NS).withName(name).get();
        Sandbox s = kube.resources(Sandbox.class).inNamespace(NS).withName(name).get();
        return pod != null
                && pod.getStatus().getContainerStatuses().get(0).getRestartCount() >= 1
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
                && s != null
                && s.getStatus() != null
                && Conditions.isTrue(s.getStatus().getConditions(), Conditions.READY);
    }

    /** An OpenAI-compatible reply as the owner's agent; a prompt with "slow" is held until the test releases it. */
    private static void answer(HttpExchange exchange, CountDownLatch slowArrived, CountDownLatch release)
            throws IOException {
        try (exchange) {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            JsonNode messages = request.path("messages");
            String last = messages.get(messages.size() - 1).path("content").asText("");
            if (last.contains("slow")) {
                slowArrived.countDown();
                try {
                    release.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ObjectNode body = JSON.createObjectNode()
                    .put("id", "chatcmpl-test")
                    .put("object", "chat.completion")
                    .put("created", System.currentTimeMillis() / 1000)
                    .put("model", request.path("model").asText("held-model"));
            ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", "I am alice's agent. Noted.");
            choice.put("finish_reason", "stop");
            body.putObject("usage")
                    .put("prompt_tokens", 1)
                    .put("completion_tokens", 1)
                    .put("total_tokens", 2);
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }
}
