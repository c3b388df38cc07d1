package dev.agentsandbox.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentsandbox.api.ClaimedSandbox;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimStatus;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.controller.StatusPatch;
import dev.agentsandbox.controller.claim.ClaimFixtures;
import dev.agentsandbox.controller.warmpool.PoolFixtures;
import dev.agentsandbox.controller.warmpool.WarmPoolReconcilerIT.MemberCounter;
import dev.agentsandbox.testing.RealControlPlane;
import dev.agentsandbox.testing.TestKubelet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The claim path's and the warm pool's guarantees, one test body for both API servers: the embedded one
 * ({@link ControllerGuaranteesIT}) and a real control plane ({@link ControllerGuaranteesOnKubeIT}), where watches,
 * conflicts, graceful deletion, the scheduler and the garbage collector are the real ones.
 */
abstract class ControllerGuarantees {

    static final Duration WAIT = Duration.ofSeconds(90);

    @Inject
    KubernetesClient client;

    /** The Operator the application started; the restart test replaces it. */
    @Inject
    Operator operator;

    TestKubelet kubelet;

    /** Whether the API server has a scheduler (and so needs namespaces, Nodes and bound Pods). */
    abstract boolean realControlPlane();

    @BeforeEach
    void startKubelet() {
        kubelet = new TestKubelet(client, realControlPlane()).start();
    }

    @AfterEach
    void stopKubelet() {
        kubelet.close();
    }

    @AfterAll
    static void stopRestartedOperator() {
        OperatorRestart.stopRestarted();
    }

    @Test
    void fiftyClaimsOnAPoolOfTwentyGetFiftyDistinctSandboxes() throws Exception {
        String ns = namespace("g-burst");
        readyPool(ns, "pool", 20);
        List<String> names = names("c", 50);
        createConcurrently(ns, "pool", names);
        awaitClaimsReady(ns, names);
        ClaimBurst burst = ClaimBurst.assertAdoptedOnce(client, ns, names);
        assertThat(burst.warm()).as("claims served warm").isGreaterThan(0);
    }

    @Test
    void fortyConcurrentTriggersNeverMakeTheWarmPoolOvershoot() throws Exception {
        String ns = namespace("g-overshoot");
        client.resource(PoolFixtures.template(ns, "tpl", "agent:1")).create();
        try (MemberCounter counter = new MemberCounter(client, ns, "pool")) {
            client.resource(PoolFixtures.pool(ns, "pool", "tpl", 20, null)).create();
            // every template write wakes the pool while its first creates are still in flight
            ExecutorService writers = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String touch = Integer.toString(i);
                done.add(writers.submit(() -> client.resources(SandboxTemplate.class)
                        .inNamespace(ns)
                        .withName("tpl")
                        .patch(
                                PatchContext.of(PatchType.JSON_MERGE),
                                "{\"metadata\":{\"annotations\":{\"touch-" + touch + "\":\"" + touch + "\"}}}")));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            writers.shutdown();
            awaitPoolReady(ns, "pool", 20);
            settle();
            assertThat(PoolFixtures.members(client, ns, "pool")).hasSize(20);
            assertThat(counter.max()).as("most members at once").isEqualTo(20);
        }
    }

    @Test
    void aControllerRestartMidBurstAdoptsNoSandboxTwice() throws Exception {
        String ns = namespace("g-restart");
        readyPool(ns, "pool", 10);
        List<String> names = names("r", 30);
        ExecutorService burst = Executors.newFixedThreadPool(4);
        for (String name : names) {
            burst.submit(() -> {
                client.resource(ClaimFixtures.claim(ns, name, "pool")).create();
                Thread.sleep(20);
                return null;
            });
        }
        burst.shutdown();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> client.resources(SandboxClaim.class)
                                .inNamespace(ns)
                                .list()
                                .getItems()
                                .size()
                        >= names.size() / 3);
        operator = OperatorRestart.restart(operator, Duration.ofSeconds(1));
        assertThat(burst.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        awaitClaimsReady(ns, names);
        ClaimBurst.assertAdoptedOnce(client, ns, names);
        await().atMost(WAIT)
                .until(() -> PoolFixtures.members(client, ns, "pool").size() == 10);
    }

    /**
     * A warm adoption is two writes: the Sandbox's, then the claim's status. What a controller that stopped between
     * them leaves: a Sandbox controlled by a claim that records nothing. The next controller binds the claim to that
     * Sandbox instead of adopting a second one.
     */
    @Test
    void anAdoptionWhoseStatusWriteWasLostIsKept() throws Exception {
        String ns = namespace("g-unrecorded");
        readyPool(ns, "pool", 3);
        List<String> adopted = new ArrayList<>();
        operator = OperatorRestart.restart(operator, () -> {
            SandboxClaim claim =
                    client.resource(ClaimFixtures.claim(ns, "u0", "pool")).create();
            Sandbox member = PoolFixtures.members(client, ns, "pool").get(0);
            adoptAsTheControllerDoes(member, claim);
            adopted.add(member.getMetadata().getName());
        });
        awaitClaimsReady(ns, List.of("u0"));
        ClaimBurst.assertAdoptedOnce(client, ns, List.of("u0"));
        assertThat(ClaimFixtures.live(client, ns, "u0").getStatus().getSandbox().getName())
                .isEqualTo(adopted.get(0));
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                        ClaimFixtures.live(client, ns, "u0").getMetadata().getAnnotations())
                .as("the sandbox-name annotation follows the status")
                .containsEntry(Labels.SANDBOX_NAME, adopted.get(0)));
        awaitPoolReady(ns, "pool", 3);
    }

    /**
     * Two reconciles of one claim on a stale claim (possible only across a restart) may each adopt a member; only one
     * can record it, since the claim's status is written under the claim's resourceVersion. The claim keeps the
     * recorded one, and the other is deleted, with a Warning Event, so the pool refills.
     */
    @Test
    void aSandboxAdoptedByAReconcileThatLostTheRecordIsDeleted() throws Exception {
        String ns = namespace("g-surplus");
        readyPool(ns, "pool", 3);
        List<String> adopted = new ArrayList<>();
        operator = OperatorRestart.restart(operator, () -> {
            SandboxClaim claim =
                    client.resource(ClaimFixtures.claim(ns, "s0", "pool")).create();
            for (Sandbox member : PoolFixtures.members(client, ns, "pool").subList(0, 2)) {
                adoptAsTheControllerDoes(member, claim);
                adopted.add(member.getMetadata().getName());
            }
            client.resources(SandboxClaim.class)
                    .inNamespace(ns)
                    .withName("s0")
                    .subresource("status")
                    .patch(
                            PatchContext.of(PatchType.JSON_MERGE),
                            "{\"status\":{\"sandbox\":{\"name\":\"" + adopted.get(0) + "\"}}}");
        });
        awaitClaimsReady(ns, List.of("s0"));
        await().atMost(WAIT)
                .until(() -> client.resources(Sandbox.class)
                                .inNamespace(ns)
                                .withName(adopted.get(1))
                                .get()
                        == null);
        ClaimBurst.assertAdoptedOnce(client, ns, List.of("s0"));
        assertThat(ClaimFixtures.live(client, ns, "s0").getStatus().getSandbox().getName())
                .isEqualTo(adopted.get(0));
        await().atMost(WAIT).until(() -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "SurplusSandboxDeleted".equals(e.getReason())
                        && e.getMessage().contains(adopted.get(1))));
        awaitPoolReady(ns, "pool", 3);
    }

    /**
     * What the record of a warm adoption relies on: the claim's status patch, locked to the resourceVersion that was
     * read, is refused once the claim has changed, and lands on the current version.
     */
    @Test
    void aStatusWriteLockedToAnOldVersionOfTheClaimIsRefused() {
        String ns = namespace("g-lock");
        client.resource(ClaimFixtures.claim(ns, "l0", "no-such-pool")).create();
        await().atMost(WAIT).until(() -> ClaimFixtures.live(client, ns, "l0").getStatus() != null);
        SandboxClaim read = ClaimFixtures.live(client, ns, "l0");
        SandboxClaim changed = client.resources(SandboxClaim.class)
                .inNamespace(ns)
                .withName("l0")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"touched\":\"yes\"}}}");
        SandboxClaimStatus recorded = new SandboxClaimStatus();
        recorded.setSandbox(new ClaimedSandbox());
        recorded.getSandbox().setName("recorded-elsewhere");
        String status = Serialization.asJson(recorded);
        var claimStatus = client.resources(SandboxClaim.class)
                .inNamespace(ns)
                .withName("l0")
                .subresource("status");
        assertThatThrownBy(() ->
                        claimStatus.patch(PatchContext.of(PatchType.JSON), StatusPatch.jsonPatch(read, status, true)))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode())
                        .isEqualTo(409));
        SandboxClaim written =
                claimStatus.patch(PatchContext.of(PatchType.JSON), StatusPatch.jsonPatch(changed, status, true));
        assertThat(written.getStatus().getSandbox().getName()).isEqualTo("recorded-elsewhere");
    }

    /** The adoption write of docs/api.md section 6.2: the member leaves its pool and gets the claim as controller. */
    private void adoptAsTheControllerDoes(Sandbox member, SandboxClaim claim) {
        String ownerReference = "{\"apiVersion\":\"extensions.agents.x-k8s.io/v1beta1\",\"kind\":\"SandboxClaim\","
                + "\"name\":\"" + claim.getMetadata().getName() + "\",\"uid\":\""
                + claim.getMetadata().getUid()
                + "\",\"controller\":true,\"blockOwnerDeletion\":true}";
        client.resources(Sandbox.class)
                .inNamespace(member.getMetadata().getNamespace())
                .withName(member.getMetadata().getName())
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"labels\":{\"" + Labels.WARM_POOL_SANDBOX + "\":null,\""
                                + Labels.LAUNCH_TYPE + "\":\"" + Labels.LAUNCH_TYPE_WARM + "\",\"" + Labels.CLAIM_UID
                                + "\":\"" + claim.getMetadata().getUid() + "\"},\"annotations\":{\"" + Labels.POD_NAME
                                + "\":\"" + member.getMetadata().getName() + "\"},\"ownerReferences\":["
                                + ownerReference + "]}}");
    }

    /**
     * A second client patches the labels and annotations of the same Sandboxes while the controller adopts them
     * (merge patches, no resourceVersion: they always land). The controller's writes carry a resourceVersion, so a
     * race is a conflict it retries, never a write of either side lost.
     */
    @Test
    void anOutsideWriterRacingTheControllerLosesNothing() throws Exception {
        String ns = namespace("g-outside");
        readyPool(ns, "pool", 10);
        List<String> names = names("o", 10);
        AtomicBoolean racing = new AtomicBoolean(true);
        List<String> written = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService outside = Executors.newSingleThreadExecutor();
        Future<Integer> writes = outside.submit(() -> {
            int n = 0;
            while (racing.get()) {
                for (Sandbox s :
                        client.resources(Sandbox.class).inNamespace(ns).list().getItems()) {
                    String key = "outside.example.com/w" + n++;
                    try {
                        client.resources(Sandbox.class)
                                .inNamespace(ns)
                                .withName(s.getMetadata().getName())
                                .patch(
                                        PatchContext.of(PatchType.JSON_MERGE),
                                        "{\"metadata\":{\"labels\":{\"outside.example.com/seen\":\"yes\"},"
                                                + "\"annotations\":{\"" + key + "\":\"" + n + "\"}}}");
                        written.add(s.getMetadata().getName() + " " + key);
                    } catch (KubernetesClientException e) {
                        if (e.getCode() != 404) {
                            throw e;
                        }
                    }
                }
            }
            return n;
        });
        createConcurrently(ns, "pool", names);
        awaitClaimsReady(ns, names);
        racing.set(false);
        assertThat(writes.get(30, TimeUnit.SECONDS)).as("outside writes").isGreaterThan(0);
        outside.shutdown();
        ClaimBurst.assertAdoptedOnce(client, ns, names);
        for (String entry : written) {
            String[] parts = entry.split(" ");
            Sandbox s = client.resources(Sandbox.class)
                    .inNamespace(ns)
                    .withName(parts[0])
                    .get();
            if (s == null) {
                continue; // replaced by the pool or deleted; nothing of it to keep
            }
            assertThat(s.getMetadata().getAnnotations())
                    .as("outside annotations of %s", parts[0])
                    .containsKey(parts[1]);
            assertThat(s.getMetadata().getLabels()).containsEntry("outside.example.com/seen", "yes");
        }
        for (String name : names) {
            SandboxClaim claim = ClaimFixtures.live(client, ns, name);
            Sandbox s = client.resources(Sandbox.class)
                    .inNamespace(ns)
                    .withName(claim.getStatus().getSandbox().getName())
                    .get();
            assertThat(s.getMetadata().getLabels())
                    .as("the controller's labels on %s", s.getMetadata().getName())
                    .containsEntry(Labels.CLAIM_UID, claim.getMetadata().getUid());
        }
    }

    private String namespace(String ns) {
        if (realControlPlane()) {
            RealControlPlane.namespace(client, ns);
        }
        return ns;
    }

    private void readyPool(String ns, String pool, int replicas) {
        client.resource(PoolFixtures.template(ns, pool + "-tpl", "agent:1")).create();
        client.resource(PoolFixtures.pool(ns, pool, pool + "-tpl", replicas, null))
                .create();
        awaitPoolReady(ns, pool, replicas);
    }

    private void awaitPoolReady(String ns, String pool, int replicas) {
        await().atMost(WAIT).untilAsserted(() -> {
            var live = PoolFixtures.livePool(client, ns, pool);
            assertThat(live.getStatus()).isNotNull();
            assertThat(live.getStatus().getReadyReplicas()).isEqualTo(replicas);
        });
    }

    private void createConcurrently(String ns, String pool, List<String> names) throws Exception {
        ExecutorService creators = Executors.newFixedThreadPool(8);
        List<Future<?>> created = new ArrayList<>();
        for (String name : names) {
            created.add(creators.submit(
                    () -> client.resource(ClaimFixtures.claim(ns, name, pool)).create()));
        }
        for (Future<?> f : created) {
            f.get(60, TimeUnit.SECONDS);
        }
        creators.shutdown();
    }

    private void awaitClaimsReady(String ns, List<String> names) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> names.stream()
                .allMatch(n -> {
                    SandboxClaim c = ClaimFixtures.live(client, ns, n);
                    return c != null && ClaimFixtures.isReady(c);
                }));
    }

    private static List<String> names(String prefix, int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(prefix + i);
        }
        return names;
    }

    /** Gives the controller time to do something wrong (an extra create, a needless delete). */
    private static void settle() throws InterruptedException {
        Thread.sleep(2000);
    }
}
