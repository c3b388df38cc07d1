package dev.agentsandbox.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.owner.ChatReply;
import dev.agentsandbox.owner.Owner;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SDK against the mock API server, a fake claim controller and a loopback fake router. */
class SandboxClientTest {

    static final String NS = SandboxClient.DEFAULT_NAMESPACE;
    static final String POOL = SandboxClient.DEFAULT_WARM_POOL;

    TestApiServer api;
    KubernetesClient kube;
    FakeClaimController controller;
    FakeRouter router;

    @BeforeEach
    void start() throws IOException {
        api = new TestApiServer();
        kube = api.client();
        FakeClaimController.createWarmPool(kube, NS, POOL);
        controller = new FakeClaimController(kube);
        router = new FakeRouter(kube, Map.of("alice-token", "alice", "bob-token", "bob"));
    }

    @AfterEach
    void stop() {
        router.close();
        controller.close();
        kube.close();
        api.close();
    }

    SandboxClient client(RouterTokens tokens) {
        return SandboxClient.builder(kube)
                .router(router.url(), tokens)
                .readyTimeout(Duration.ofSeconds(20))
                .build();
    }

    @Test
    void createsAClaimThatSaysWhoAskedAndWhen() {
        ClaimRef ref = client(RouterTokens.none()).createClaim("alice");

        SandboxClaim claim = kube.resources(SandboxClaim.class)
                .inNamespace(NS)
                .withName(ref.name())
                .get();
        assertThat(claim.getSpec().getWarmPoolRef().getName()).isEqualTo(POOL);
        assertThat(claim.getMetadata().getLabels())
                .containsEntry(Labels.OWNER, "alice")
                .containsEntry(Labels.CREATED_BY, "java-client");
        assertThat(claim.getMetadata().getAnnotations().get(Labels.CLIENT_FIRST_REQUESTED_AT))
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(ref.name()).matches("alice-[a-z0-9]{5}");
    }

    @Test
    void waitsForReadyThenChatsThroughTheRouterWithTheRoutingHeaders() {
        SandboxClient client = client(RouterTokens.of(Map.of("alice", "alice-token"), null));
        ClaimRef ref = client.createClaim("alice");

        ReadySandbox ready = client.awaitReady(ref);
        ChatReply reply = client.chat(ready, "hello");

        assertThat(ready.sandbox()).isEqualTo(ref.name());
        assertThat(ready.launchType()).isEqualTo("warm");
        assertThat(ready.readyMillis()).isNotNull().isGreaterThanOrEqualTo(0L);
        assertThat(reply.answersAs(new Owner("alice"))).isTrue();
        assertThat(reply.historyTurns()).isEqualTo(1);
        assertThat(router.requests()).last().satisfies(h -> assertThat(h)
                .containsEntry("x-sandbox-id", ref.name())
                .containsEntry("x-sandbox-namespace", NS)
                .containsEntry("x-sandbox-port", "8080")
                .containsEntry("x-owner", "alice")
                .containsEntry("authorization", "Bearer alice-token"));
    }

    @Test
    void getOrCreateFindsTheSameClaimAgainByLabels() {
        SandboxClient first = client(RouterTokens.shared("alice-token"));
        ClaimRef created = first.getOrCreateClaim("alice");
        ClaimRef found = client(RouterTokens.shared("alice-token")).getOrCreateClaim("alice");

        assertThat(created.created()).isTrue();
        assertThat(found.created()).isFalse();
        assertThat(found.name()).isEqualTo(created.name());
        assertThat(first.createdClaims())
                .as("kept claims are not cleaned up on exit")
                .isEmpty();
    }

    @Test
    void aKeptClaimNameTakenBySomeoneElseIsNotReused() {
        SandboxClaim squatter = ClaimRequest.build(
                new Owner("mallory"), NS, ClaimRequest.keptName(new Owner("alice")), POOL, java.time.Instant.now());
        kube.resource(squatter).create();

        assertThatThrownBy(() -> client(RouterTokens.none()).getOrCreateClaim("alice"))
                .isInstanceOf(SandboxClientException.class)
                .hasMessageContaining("exists but is not owner alice's claim");
    }

    @Test
    void aLeftoverOneShotClaimIsNotReused() {
        ClaimRef leftover = client(RouterTokens.none()).createClaim("alice");

        ClaimRef kept = client(RouterTokens.none()).getOrCreateClaim("alice");

        assertThat(kept.name()).isNotEqualTo(leftover.name()).isEqualTo(ClaimRequest.keptName(new Owner("alice")));
    }

    @Test
    void chatByOwnerKeepsHistoryAcrossCallsAndResetClearsIt() {
        SandboxClient client = client(RouterTokens.shared("alice-token"));

        assertThat(client.chat("alice", "one").historyTurns()).isEqualTo(1);
        assertThat(client.chat("alice", "two").historyTurns()).isEqualTo(2);
        client.reset("alice");
        assertThat(client.chat("alice", "three").historyTurns()).isEqualTo(1);
    }

    @Test
    void aMissingWarmPoolTimesOutNamingThePool() {
        SandboxClient client =
                SandboxClient.builder(kube).warmPool("no-such-pool").build();
        ClaimRef ref = client.createClaim("alice");

        assertThatThrownBy(() -> client.awaitReady(ref, Duration.ofSeconds(2), ClaimProgress.SILENT))
                .isInstanceOfSatisfying(ClaimTimeoutException.class, e -> assertThat(e.lastReason())
                        .isEqualTo(Conditions.WARM_POOL_NOT_FOUND))
                .hasMessageContaining("warm pool \"no-such-pool\" not found in namespace " + NS)
                .hasMessageContaining(ref.name());
    }

    @Test
    void aTerminalReasonFailsAtOnce() {
        controller.failing("bad-pool", Conditions.INVALID_METADATA);
        SandboxClient client = SandboxClient.builder(kube).warmPool("bad-pool").build();
        ClaimRef ref = client.createClaim("alice");

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.awaitReady(ref, Duration.ofSeconds(30), ClaimProgress.SILENT))
                .isInstanceOfSatisfying(
                        ClaimFailedException.class, e -> assertThat(e.reason()).isEqualTo(Conditions.INVALID_METADATA));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void notFoundIsTypedFromTheApiStatus() {
        SandboxClient client = client(RouterTokens.none());

        assertThatThrownBy(() -> client.getClaim("nobody"))
                .isInstanceOf(ClaimNotFoundException.class)
                .hasMessage("claim " + NS + "/nobody: not found");
        assertThatThrownBy(() -> client.deleteClaim("nobody")).isInstanceOf(ClaimNotFoundException.class);
        assertThatThrownBy(() -> client.awaitReady(new ClaimRef(new Owner("alice"), NS, "nobody", false, null)))
                .isInstanceOf(ClaimNotFoundException.class);
    }

    @Test
    void shutdownCleanupDeletesOnlyTheClaimsThisClientCreated() {
        SandboxClient client = client(RouterTokens.none());
        ClaimRef kept = client.getOrCreateClaim("bob");
        ClaimRef oneShot = client.createClaim("alice");

        Thread hook = client.shutdownCleanup();
        hook.run();

        assertThat(kube.resources(SandboxClaim.class)
                        .inNamespace(NS)
                        .withName(oneShot.name())
                        .get())
                .isNull();
        assertThat(kube.resources(SandboxClaim.class)
                        .inNamespace(NS)
                        .withName(kept.name())
                        .get())
                .isNotNull();
        assertThat(client.createdClaims()).isEmpty();
    }

    @Test
    void deleteOwnerClaimsRemovesEveryClaimOfThatOwnerOnly() {
        SandboxClient client = client(RouterTokens.none());
        ClaimRef a1 = client.getOrCreateClaim("alice");
        ClaimRef a2 = client.createClaim("alice");
        ClaimRef b = client.createClaim("bob");

        assertThat(client.deleteOwnerClaims("alice")).containsExactlyInAnyOrder(a1.name(), a2.name());
        assertThat(kube.resources(SandboxClaim.class).inNamespace(NS).list().getItems())
                .extracting(c -> c.getMetadata().getName())
                .containsExactly(b.name());
    }

    @Test
    void routerErrorsAreTypedAndSayWhatToFix() {
        SandboxClient wrongToken = client(RouterTokens.shared("stolen"));
        ReadySandbox alice = wrongToken.awaitReady(wrongToken.createClaim("alice"));
        assertThatThrownBy(() -> wrongToken.chat(alice, "hi"))
                .isInstanceOfSatisfying(RouterRejectedException.class, e -> assertThat(e.status())
                        .isEqualTo(401))
                .hasMessageContaining("owner alice")
                .hasMessageContaining("token is wrong");

        SandboxClient bobsToken = client(RouterTokens.shared("bob-token"));
        assertThatThrownBy(() -> bobsToken.chat(alice, "hi"))
                .isInstanceOfSatisfying(RouterRejectedException.class, e -> assertThat(e.status())
                        .isEqualTo(403))
                .hasMessageContaining("sandbox " + NS + "/" + alice.sandbox());

        SandboxClient nowhere = SandboxClient.builder(kube)
                .router(URI.create("http://127.0.0.1:9"), RouterTokens.shared("alice-token"))
                .build();
        assertThatThrownBy(() -> nowhere.chat(alice, "hi"))
                .isInstanceOf(RouterUnreachableException.class)
                .hasMessageContaining("cannot reach the router at http://127.0.0.1:9");
    }
}
