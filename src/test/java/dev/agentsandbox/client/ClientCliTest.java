package dev.agentsandbox.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxSpec;
import dev.agentsandbox.owner.token.OwnerTokens;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The command-line client, run as a plain class against the mock API server, a fake claim controller and a
 * loopback fake router (the real controllers, router and agent are tested elsewhere).
 */
class ClientCliTest {

    static final String NS = SandboxClient.DEFAULT_NAMESPACE;
    static final ObjectMapper JSON = new ObjectMapper();

    TestApiServer api;
    KubernetesClient kube;
    FakeClaimController controller;
    FakeRouter router;
    RecordingHooks hooks = new RecordingHooks();
    Map<String, String> env = new HashMap<>();

    @BeforeEach
    void start() throws IOException {
        api = new TestApiServer();
        kube = api.client();
        FakeClaimController.createWarmPool(kube, NS, SandboxClient.DEFAULT_WARM_POOL);
        controller = new FakeClaimController(kube);
        router = new FakeRouter(kube, Map.of("alice-token", "alice", "bob-token", "bob", "carol-token", "carol"));
        env.put("ROUTER_BASE_URL", router.url().toString());
        env.put("ROUTER_TOKEN_ALICE", "alice-token");
        env.put("ROUTER_TOKEN_BOB", "bob-token");
    }

    @AfterEach
    void stop() {
        router.close();
        controller.close();
        kube.close();
        api.close();
    }

    record Result(int exit, String out, String err) {

        List<JsonNode> json() {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    try {
                        nodes.add(JSON.readTree(line));
                    } catch (IOException e) {
                        throw new AssertionError("not a JSON line: " + line, e);
                    }
                }
            }
            return nodes;
        }
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new ClientCli(
                        context -> api.client(),
                        env,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        hooks)
                .run(args);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** What the idle policy leaves: the claim IdleSuspended with its sandbox, the Sandbox marked. */
    void suspendForIdle(String claimName, String sandbox) {
        markSuspendedForIdle(sandbox);
        setClaimReady(claimName, Conditions.IDLE_SUSPENDED, "sandbox " + sandbox + " was suspended by the idle policy");
    }

    /** The claim's Ready condition False with {@code reason}, as the claim controller writes it. */
    void setClaimReady(String claimName, String reason, String message) {
        SandboxClaim claim = kube.resources(SandboxClaim.class)
                .inNamespace(NS)
                .withName(claimName)
                .get();
        claim.getStatus()
                .setConditions(Conditions.with(
                        claim.getStatus().getConditions(),
                        Conditions.READY,
                        false,
                        reason,
                        message,
                        1L,
                        Instant.now()));
        kube.resource(claim).updateStatus();
    }

    void markSuspendedForIdle(String sandbox) {
        kube.resources(Sandbox.class).inNamespace(NS).withName(sandbox).edit(s -> {
            s.getMetadata().setAnnotations(Map.of(IdleAnnotations.SUSPENDED_BY, IdleAnnotations.SUSPENDED_BY_IDLE));
            return s;
        });
    }

    List<SandboxClaim> claimsOf(String owner) {
        return kube.resources(SandboxClaim.class)
                .inNamespace(NS)
                .withLabel(Labels.OWNER, owner)
                .list()
                .getItems();
    }

    @Test
    void oneShotCreatesChatsAndDeletesItsClaim() {
        Result r = run("--name", "alice", "--msg", "hi");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .startsWith("alice: OK | sandbox ")
                .contains(" (warm start, ready in ")
                .contains(" ms) | history 1 | I am alice's agent. You said: hi");
        assertThat(r.err())
                .contains("alice: claim " + NS + "/alice-")
                .contains("created")
                .contains("assigned (warm start), ready after")
                .contains("deleted");
        assertThat(claimsOf("alice")).isEmpty();
        assertThat(router.requests()).hasSize(1);
        assertThat(hooks.added).hasSize(1);
        assertThat(hooks.removed).containsExactlyElementsOf(hooks.added);
    }

    @Test
    void reuseTwiceFindsTheSameClaimAndTheAgentRemembers() {
        JsonNode first = run("--name", "alice", "--reuse", "--msg", "one", "--output", "json")
                .json()
                .get(0);
        Result second = run("--name", "alice", "--reuse", "--msg", "two", "--output", "json");
        JsonNode again = second.json().get(0);

        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(again.get("claim").asText()).isEqualTo(first.get("claim").asText());
        assertThat(again.get("history_turns").asInt()).isEqualTo(2);
        assertThat(second.err()).contains("reusing claim");
        assertThat(again.fieldNames())
                .toIterable()
                .containsExactly(
                        "owner",
                        "claim",
                        "sandbox",
                        "launch_type",
                        "ready_ms",
                        "resumed",
                        "reply",
                        "history_turns",
                        "check");
        assertThat(again.get("resumed").asBoolean()).isFalse();
        assertThat(again.get("check").asText()).isEqualTo("OK");
        assertThat(again.get("launch_type").asText()).isEqualTo("warm");
        assertThat(claimsOf("alice")).hasSize(1);
        assertThat(hooks.added).as("kept claims get no Ctrl-C cleanup").isEmpty();
    }

    @Test
    void anIdleSuspendedClaimIsWokenByTheChatAndShownAsResumed() {
        JsonNode first = run("--name", "alice", "--reuse", "--msg", "one", "--output", "json")
                .json()
                .get(0);
        String sandbox = first.get("sandbox").asText();
        suspendForIdle(first.get("claim").asText(), sandbox);
        router.asleep(1);

        Result woken = run("--name", "alice", "--reuse", "--msg", "two", "--output", "json");

        assertThat(woken.exit()).as(woken.err()).isZero();
        JsonNode json = woken.json().get(0);
        assertThat(json.get("resumed").asBoolean()).isTrue();
        assertThat(json.get("launch_type").asText()).isEqualTo("warm");
        assertThat(json.get("history_turns").asInt()).isEqualTo(2);
        assertThat(json.get("check").asText()).isEqualTo("OK");
        assertThat(woken.err())
                .contains("alice: sandbox " + sandbox + " assigned (warm start), asleep (suspended for being idle)")
                .contains("alice: waking alice's sandbox " + sandbox + "...")
                .contains("alice: still waking, asking again in 1 s")
                .doesNotContain("error");
        assertThat(router.requests())
                .as("the first chat, the 503 and its retry")
                .hasSize(3);
    }

    @Test
    void aSandboxMarkedIdleWhileItsClaimStillSaysReadyIsShownWokenToo() {
        JsonNode first = run("--name", "alice", "--reuse", "--msg", "one", "--output", "json")
                .json()
                .get(0);
        String sandbox = first.get("sandbox").asText();
        markSuspendedForIdle(sandbox);
        router.asleep(0);

        Result woken = run("--name", "alice", "--reuse", "--msg", "two");

        assertThat(woken.exit()).as(woken.err()).isZero();
        assertThat(woken.out()).startsWith("alice: OK | sandbox " + sandbox).contains(", woken from idle) | history 2");
        assertThat(woken.err()).contains("alice: waking alice's sandbox " + sandbox + "...");
    }

    @Test
    void aSandboxAUserSuspendedIsAnErrorAtOnceThatSaysSo() {
        JsonNode first =
                run("--name", "alice", "--reuse", "--output", "json").json().get(0);
        String sandbox = first.get("sandbox").asText();
        // a user's suspension, as the claim then shows it: not Ready, the Sandbox without the idle policy's mark
        kube.resources(Sandbox.class).inNamespace(NS).withName(sandbox).edit(s -> {
            // the fake controller's Sandboxes carry no spec
            s.setSpec(new SandboxSpec());
            s.getSpec().setOperatingMode(OperatingMode.SUSPENDED);
            return s;
        });
        setClaimReady(
                first.get("claim").asText(), Conditions.SANDBOX_NOT_READY, "sandbox " + sandbox + " is not Ready");
        int requestsBefore = router.requests().size();
        long start = System.nanoTime();

        Result r = run("--name", "alice", "--reuse", "--output", "json");

        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("not waited out")
                .isLessThan(Duration.ofSeconds(30));
        assertThat(r.exit()).isEqualTo(ExitCode.CLAIM);
        JsonNode json = r.json().get(0);
        assertThat(json.get("check").asText()).isEqualTo("ERROR");
        assertThat(json.get("resumed").asBoolean()).isFalse();
        assertThat(json.get("error").asText())
                .startsWith("sandbox " + NS + "/" + sandbox
                        + " of owner alice was suspended by a user, not for being idle, so it is not woken");
        assertThat(router.requests()).as("nothing sent to wake it").hasSize(requestsBefore);
    }

    @Test
    void aRoutersRefusalOfAUsersSuspensionIsTheSameError() {
        JsonNode first =
                run("--name", "alice", "--reuse", "--output", "json").json().get(0);
        router.suspendedByUser();

        Result r = run("--name", "alice", "--reuse");

        assertThat(r.exit()).isEqualTo(ExitCode.CLAIM);
        assertThat(r.out())
                .startsWith("alice: ERROR sandbox " + NS + "/"
                        + first.get("sandbox").asText()
                        + " of owner alice was suspended by a user, not for being idle, so it is not woken (the "
                        + "router answered 409: ");
    }

    @Test
    void resetClearsTheKeptSandboxsHistory() {
        run("--name", "alice", "--reuse", "--msg", "one");
        run("--name", "alice", "--reuse", "--msg", "two");

        Result reset = run("--name", "alice", "--reset");
        Result after = run("--name", "alice", "--reuse", "--msg", "three", "--output", "json");

        assertThat(reset.exit()).as(reset.err()).isZero();
        assertThat(reset.out()).startsWith("alice: RESET");
        assertThat(after.json().get(0).get("history_turns").asInt()).isEqualTo(1);
        assertThat(claimsOf("alice")).as("--reset keeps the claim").hasSize(1);
    }

    @Test
    void resetWithoutAKeptClaimSaysSo() {
        Result r = run("--name", "alice", "--reset");

        assertThat(r.exit()).isEqualTo(ExitCode.CLAIM);
        assertThat(r.err()).contains("owner alice has no claim to reset");
    }

    @Test
    void deleteRemovesEveryClaimOfThatOwnerOnly() {
        run("--name", "alice,bob", "--reuse");

        Result r = run("--name", "alice", "--delete", "--output", "json");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().get(0).get("check").asText()).isEqualTo("DELETED");
        assertThat(claimsOf("alice")).isEmpty();
        assertThat(claimsOf("bob")).hasSize(1);
    }

    @Test
    void parallelOwnersEachPassTheRoutingCheckWithTheirOwnToken() {
        Result r =
                run("--name", "alice,bob", "--name", "carol", "--owner-token", "carol=carol-token", "--output", "json");

        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> results = r.json();
        assertThat(results).extracting(n -> n.get("owner").asText()).containsExactly("alice", "bob", "carol");
        assertThat(results).allSatisfy(n -> assertThat(n.get("check").asText()).isEqualTo("OK"));
        assertThat(results).extracting(n -> n.get("sandbox").asText()).doesNotHaveDuplicates();
        assertThat(router.requests())
                .extracting(h -> h.get("authorization"))
                .containsExactlyInAnyOrder("Bearer alice-token", "Bearer bob-token", "Bearer carol-token");
        assertThat(kube.resources(SandboxClaim.class).inNamespace(NS).list().getItems())
                .isEmpty();
    }

    @Test
    void anOwnersOwnTokenFromTheEnvironmentWinsOverTheSharedToken() {
        Result r = run("--name", "alice", "--token", "bob-token");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(router.requests()).extracting(h -> h.get("authorization")).containsExactly("Bearer alice-token");
    }

    @Test
    void aReplyFromAnotherOwnersAgentFailsTheRoutingCheck() {
        router.impersonate("mallory");

        Result r = run("--name", "alice");

        assertThat(r.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(r.out()).startsWith("alice: FAIL");
    }

    @Test
    void aMissingWarmPoolIsNamedAndTheClaimIsCleanedUp() {
        Result r = run("--name", "alice", "--warm-pool", "nope", "--timeout", "2", "--output", "json");

        assertThat(r.exit()).isEqualTo(ExitCode.CLAIM);
        assertThat(r.err())
                .contains("waiting: WarmPoolNotFound")
                .contains("not Ready after 2 s: warm pool \"nope\" not found in namespace " + NS);
        assertThat(r.json().get(0).get("check").asText()).isEqualTo("ERROR");
        assertThat(r.json().get(0).get("error").asText()).contains("warm pool \"nope\" not found");
        assertThat(claimsOf("alice")).isEmpty();
    }

    @Test
    void anUnreachableRouterIsReportedWithItsAddress() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        Result r = run("--name", "alice", "--router-url", "http://127.0.0.1:" + closedPort);

        assertThat(r.exit()).isEqualTo(ExitCode.ROUTER_UNREACHABLE);
        assertThat(r.err()).contains("cannot reach the router at http://127.0.0.1:" + closedPort);
        assertThat(claimsOf("alice")).isEmpty();
    }

    @Test
    void aWrongTokenIsRejectedWith401() {
        env.remove("ROUTER_TOKEN_ALICE");

        Result r = run("--name", "alice", "--token", "not-a-token");

        assertThat(r.exit()).isEqualTo(ExitCode.ROUTER_REJECTED);
        assertThat(r.err()).contains("rejected the token for owner alice (401");
    }

    @Test
    void anotherOwnersTokenIsRefusedWith403() {
        Result r = run("--name", "alice", "--owner-token", "alice=bob-token");

        assertThat(r.exit()).isEqualTo(ExitCode.ROUTER_REJECTED);
        assertThat(r.err())
                .contains("refused owner alice access to sandbox " + NS + "/")
                .contains("(403");
    }

    @Test
    void ctrlCInOneShotModeDeletesTheClaim() throws Exception {
        var chatArrived = router.stallChats();
        CompletableFuture<Result> running = CompletableFuture.supplyAsync(() -> run("--name", "alice"));
        assertThat(chatArrived.await(20, TimeUnit.SECONDS))
                .as("the client reached the agent")
                .isTrue();
        assertThat(claimsOf("alice")).hasSize(1);

        hooks.added.get(0).run(); // what the JVM does on Ctrl-C

        assertThat(claimsOf("alice")).isEmpty();
        router.release();
        assertThat(running.get(20, TimeUnit.SECONDS).exit()).isZero();
    }

    @Test
    void usageErrorsExitWith2AndSayWhatIsMissing() {
        assertThat(run("--msg", "hi")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).contains("--name is required");
        });
        env.remove("ROUTER_BASE_URL");
        assertThat(run("--name", "alice")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err())
                    .contains("error: no router URL: pass --router-url or set ROUTER_BASE_URL")
                    .contains("Try 'client --help'")
                    .doesNotContain("Usage:");
        });
        assertThat(run("--name", "alice", "--delete", "--msg", "x").exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run("--name", "not valid!", "--router-url", "http://127.0.0.1:1")
                        .err())
                .contains("owner \"not valid!\" is not valid");
    }

    @Test
    void tokenCommandPrintsTheTokenOnceAndStoresOnlyItsHash() {
        Result first = run("token", "--owner", "alice");
        Result rotated = run("token", "--owner", "alice");

        String token = first.out().strip();
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(token).matches("sbx_[A-Za-z0-9_-]{43}");
        assertThat(rotated.out().strip()).isNotEqualTo(token);
        var secret = kube.secrets()
                .inNamespace("agent-sandbox-system")
                .withName("sandbox-router-owner-tokens")
                .get();
        String stored =
                new String(java.util.Base64.getDecoder().decode(secret.getData().get("alice")), StandardCharsets.UTF_8);
        assertThat(stored).isEqualTo(OwnerTokens.hash(rotated.out().strip())).matches("[0-9a-f]{64}");
        assertThat(secret.getData().values())
                .noneMatch(v ->
                        new String(java.util.Base64.getDecoder().decode(v), StandardCharsets.UTF_8).contains(token));
        assertThat(first.err()).contains("ROUTER_TOKEN_ALICE");
    }

    @Test
    void tokenCommandKeepsOtherOwnersAndHonoursSecretFlags() {
        run("token", "--owner", "alice", "--secret", "tokens", "--secret-namespace", "ops");
        run("token", "--owner", "bob", "--secret", "tokens", "--secret-namespace", "ops");

        var secret = kube.secrets().inNamespace("ops").withName("tokens").get();
        assertThat(secret.getData()).containsOnlyKeys("alice", "bob");
    }

    /** Records hooks instead of giving them to the JVM, so a test can play Ctrl-C. */
    static final class RecordingHooks implements ShutdownHooks {
        final List<Thread> added = new CopyOnWriteArrayList<>();
        final List<Thread> removed = new CopyOnWriteArrayList<>();

        @Override
        public void add(Thread hook) {
            added.add(hook);
        }

        @Override
        public void remove(Thread hook) {
            removed.add(hook);
        }
    }
}
