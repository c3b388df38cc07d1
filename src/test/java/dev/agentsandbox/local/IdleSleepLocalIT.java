package dev.agentsandbox.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.client.ClientCli;
import dev.agentsandbox.client.ExitCode;
import dev.agentsandbox.client.ShutdownHooks;
import dev.agentsandbox.testing.ExampleClaims;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Memory across an idle sleep, end to end in local mode with the idle-sleep variant of the kata-aks template
 * ({@code deploy/kata-aks/idle-sleep}): alice chats twice through the router, her claimed agent is suspended for
 * idleness (its Pod process gone, its history volume's directory kept), is woken with the router's write, and the
 * agent it starts remembers both turns: history 3 on the next chat. And bob's command-line client, whose next chat
 * wakes his sandbox through the router and says so.
 */
class IdleSleepLocalIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String NS = "sandbox-agent-demo";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static LocalModeProcess local;
    static KubernetesClient client;

    @RegisterExtension
    static final LocalModeProcess.LogOnFailure LOG_ON_FAILURE = new LocalModeProcess.LogOnFailure(() -> local);

    @BeforeAll
    static void startLocalModeWithTheIdleSleepTemplate() throws Exception {
        assumeTrue(
                Files.isRegularFile(LocalModeProcess.JAR),
                "run ./mvnw package first: " + LocalModeProcess.JAR + " is missing");
        Path dir = Files.createTempDirectory("idle-sleep-local-it");
        local = LocalModeProcess.start(
                dir,
                Duration.ofSeconds(120),
                Duration.ofSeconds(180),
                Map.of(
                        "SANDBOX_LOCAL_EXAMPLE_DIR",
                        Path.of("deploy/kata-aks/idle-sleep").toAbsolutePath().toString(),
                        "SANDBOX_ROUTER_ACTIVITY_INTERVAL",
                        "PT1S"));
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(local.kubeconfig())))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (local != null) {
            local.close();
        }
    }

    @Test
    void aWokenAgentGoesOnWithTheHistoryItHadBeforeTheSleep() throws Exception {
        client.resource(claim("alice-idle", "alice", "10s")).create();
        String sandbox = await().atMost(Duration.ofSeconds(120))
                .until(() -> live("alice-idle"), c -> c != null && isReady(c))
                .getStatus()
                .getSandbox()
                .getName();

        assertThat(chat(sandbox, "alice", "first").path("history_turns").asInt())
                .isEqualTo(1);
        assertThat(chat(sandbox, "alice", "second").path("history_turns").asInt())
                .isEqualTo(2);

        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    Sandbox s = client.resources(Sandbox.class)
                            .inNamespace(NS)
                            .withName(sandbox)
                            .get();
                    assertThat(s.getSpec().getOperatingMode()).isEqualTo(OperatingMode.SUSPENDED);
                    assertThat(s.getMetadata().getAnnotations())
                            .containsEntry(IdleAnnotations.SUSPENDED_BY, IdleAnnotations.SUSPENDED_BY_IDLE);
                    assertThat(client.pods().inNamespace(NS).withName(sandbox).get())
                            .as("pod")
                            .isNull();
                });
        Path volume = local.dataDir.resolve("volumes").resolve(NS).resolve("history-" + sandbox);
        try (Stream<Path> files = Files.list(volume)) {
            assertThat(files.toList())
                    .as("the history on the volume's directory")
                    .isNotEmpty();
        }

        wakeAsTheRouterDoes(sandbox);
        await().atMost(Duration.ofSeconds(120)).until(() -> isReady(live("alice-idle")));
        JsonNode third = chat(sandbox, "alice", "third");
        assertThat(third.path("reply").asText()).startsWith("I am alice's agent");
        assertThat(third.path("history_turns").asInt())
                .as("the woken agent remembers")
                .isEqualTo(3);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(client.resources(Sandbox.class)
                        .inNamespace(NS)
                        .withName(sandbox)
                        .get()
                        .getMetadata()
                        .getAnnotations())
                .doesNotContainKey(IdleAnnotations.SUSPENDED_BY));
    }

    /**
     * The command-line client on a kept claim that fell asleep: its next run shows the wake as what it is (the
     * "waking" line, {@code "resumed": true}), not as an error, and the woken agent goes on with the history.
     */
    @Test
    void theClientsChatWakesItsIdleSuspendedSandboxAndSaysSo() throws Exception {
        ClientRun first = client("--name", "bob", "--reuse", "--msg", "before the sleep", "--output", "json");
        assertThat(first.exit()).as(first.err()).isZero();
        JsonNode before = first.json();
        String sandbox = before.path("sandbox").asText();
        assertThat(before.path("resumed").asBoolean()).isFalse();

        // the claim's own idle timeout, shortened to seconds, wins over the template's 15m
        client.resources(SandboxClaim.class)
                .inNamespace(NS)
                .withName(before.path("claim").asText())
                .edit(c -> {
                    c.getMetadata().getAnnotations().put(IdleAnnotations.IDLE_TIMEOUT, "3s");
                    return c;
                });
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> client.pods().inNamespace(NS).withName(sandbox).get() == null
                        && Conditions.find(
                                        live(before.path("claim").asText())
                                                .getStatus()
                                                .getConditions(),
                                        Conditions.READY)
                                .map(c -> Conditions.IDLE_SUSPENDED.equals(c.getReason()))
                                .orElse(false));

        ClientRun woken = client("--name", "bob", "--reuse", "--msg", "after the sleep", "--output", "json");

        assertThat(woken.exit()).as(woken.err()).isZero();
        assertThat(woken.err())
                .contains("bob: sandbox " + sandbox + " assigned")
                .contains("bob: waking bob's sandbox " + sandbox + "...")
                .doesNotContain("error");
        JsonNode after = woken.json();
        assertThat(after.path("resumed").asBoolean()).isTrue();
        assertThat(after.path("sandbox").asText()).isEqualTo(sandbox);
        assertThat(after.path("launch_type").asText())
                .isEqualTo(before.path("launch_type").asText());
        assertThat(after.path("check").asText()).isEqualTo("OK");
        assertThat(after.path("history_turns").asInt())
                .as("the woken agent remembers")
                .isEqualTo(2);

        assertThat(client("--name", "bob", "--delete").exit()).isZero();
    }

    /** A sandbox a user suspended is not woken, and the client says so at once instead of waiting for it. */
    @Test
    void theClientSaysAtOnceThatAUserSuspendedItsSandbox() throws Exception {
        ClientRun first = client("--name", "alice", "--reuse", "--msg", "hi", "--output", "json");
        assertThat(first.exit()).as(first.err()).isZero();
        String sandbox = first.json().path("sandbox").asText();
        client.resources(Sandbox.class)
                .inNamespace(NS)
                .withName(sandbox)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"operatingMode\":\"Suspended\"}}");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.pods().inNamespace(NS).withName(sandbox).get() == null);
        long start = System.nanoTime();

        ClientRun refused = client("--name", "alice", "--reuse", "--output", "json");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        assertThat(refused.exit()).as(refused.err()).isEqualTo(ExitCode.CLAIM);
        assertThat(refused.json().path("error").asText())
                .startsWith("sandbox " + NS + "/" + sandbox + " of owner alice was suspended by a user, not for "
                        + "being idle, so it is not woken (");
        assertThat(client.resources(Sandbox.class)
                        .inNamespace(NS)
                        .withName(sandbox)
                        .get()
                        .getSpec()
                        .getOperatingMode())
                .isEqualTo(OperatingMode.SUSPENDED);

        assertThat(client("--name", "alice", "--delete").exit()).isZero();
    }

    /** One run of the command-line client, in this JVM, against local mode's API server and router. */
    record ClientRun(int exit, String out, String err) {

        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    static ClientRun client(String... args) throws Exception {
        String kubeconfig = Files.readString(local.kubeconfig());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new ClientCli(
                        // the client closes its Kubernetes client at the end of each run
                        context -> new KubernetesClientBuilder()
                                .withConfig(Config.fromKubeconfig(kubeconfig))
                                .build(),
                        Map.of(
                                "ROUTER_BASE_URL", local.lines.get("ROUTER_URL"),
                                "ROUTER_TOKEN_ALICE", local.lines.get("ROUTER_TOKEN_ALICE"),
                                "ROUTER_TOKEN_BOB", local.lines.get("ROUTER_TOKEN_BOB")),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        ShutdownHooks.jvm())
                .run(args);
        return new ClientRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The router's wake (docs/idle.md): one merge patch, operatingMode Running with fresh activity. */
    static void wakeAsTheRouterDoes(String sandbox) {
        client.resources(Sandbox.class)
                .inNamespace(NS)
                .withName(sandbox)
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"annotations\":{\"" + IdleAnnotations.LAST_ACTIVITY + "\":\""
                                + IdleAnnotations.activity(Instant.now()) + "\"}},"
                                + "\"spec\":{\"operatingMode\":\"Running\"}}");
    }

    static JsonNode chat(String sandbox, String owner, String prompt) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(local.lines.get("ROUTER_URL") + "/chat"))
                        .timeout(Duration.ofSeconds(120))
                        .header("Authorization", "Bearer " + local.lines.get("ROUTER_TOKEN_" + owner.toUpperCase()))
                        .header("X-Sandbox-ID", sandbox)
                        .header("X-Sandbox-Namespace", NS)
                        .header("X-Sandbox-Port", "8080")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("prompt", prompt))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("chat %s: %s", prompt, response.body())
                .isEqualTo(200);
        return JSON.readTree(response.body());
    }

    static SandboxClaim claim(String name, String owner, String idleTimeout) {
        return ExampleClaims.withIdleTimeout(name, owner, idleTimeout);
    }

    static SandboxClaim live(String name) {
        return client.resources(SandboxClaim.class)
                .inNamespace(NS)
                .withName(name)
                .get();
    }

    static boolean isReady(SandboxClaim claim) {
        return claim != null
                && claim.getStatus() != null
                && Conditions.isTrue(claim.getStatus().getConditions(), Conditions.READY);
    }
}
