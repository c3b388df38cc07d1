package dev.agentsandbox.controller.claim;

import static dev.agentsandbox.controller.claim.ClaimFixtures.live;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.VolumeClaimMetadata;
import dev.agentsandbox.api.VolumeClaimTemplate;
import dev.agentsandbox.controller.warmpool.PoolFixtures;
import dev.agentsandbox.testing.RealControlPlane;
import dev.agentsandbox.testing.RouterWrites;
import dev.agentsandbox.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The idle policy (docs/idle.md), one test body for both API servers: the embedded one ({@link IdleSleepIT}) and a
 * real control plane ({@link IdleSleepOnKubeIT}). The test writes the router's side of the contract itself: the
 * last-activity annotation, and the wake (operatingMode Running with fresh activity, one merge patch).
 */
abstract class IdleSleepScenarios {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String TIMEOUT = "3s";

    @Inject
    KubernetesClient client;

    TestKubelet kubelet;
    StaticVolumes volumes;

    /** Whether the API server has a scheduler (and so needs namespaces, Nodes, bound Pods and bound volumes). */
    abstract boolean realControlPlane();

    @BeforeEach
    void startKubelet() {
        kubelet = new TestKubelet(client, realControlPlane()).start();
        volumes = realControlPlane() ? new StaticVolumes(client).start() : null;
    }

    @AfterEach
    void stopKubelet() {
        kubelet.close();
        if (volumes != null) {
            volumes.close();
        }
    }

    @Test
    void aClaimedSandboxSleepsAfterItsTimeoutKeepsItsVolumeAndWakesWhileWarmMembersNeverSleep() {
        String ns = namespace("idle-sleep");
        readyPool(ns, Map.of(IdleAnnotations.IDLE_TIMEOUT, TIMEOUT), 2);
        pause(Duration.ofSeconds(4));
        assertThat(PoolFixtures.members(client, ns, "pool"))
                .as("warm members idle past the timeout")
                .hasSize(2)
                .allSatisfy(m -> assertRunningAndUnmarked(m));

        client.resource(ClaimFixtures.claim(ns, "alice", "pool", "alice")).create();
        String name = awaitReady(ns, "alice").getStatus().getSandbox().getName();
        Instant ready = Instant.now();
        String pvcUid = pvc(ns, name).getMetadata().getUid();
        // the clock starts at the claim's first Ready, not when the member became Ready in its pool
        pause(Duration.ofMillis(1500));
        assertRunningAndUnmarked(sandbox(ns, name));

        Sandbox asleep = awaitSuspended(ns, name);
        assertThat(Duration.between(ready, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
        assertThat(asleep.getMetadata().getAnnotations())
                .containsEntry(IdleAnnotations.SUSPENDED_BY, IdleAnnotations.SUSPENDED_BY_IDLE);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.pods().inNamespace(ns).withName(name).get())
                    .as("pod")
                    .isNull();
            assertThat(condition(sandbox(ns, name).getStatus().getConditions(), Conditions.SUSPENDED))
                    .extracting(Condition::getStatus, Condition::getReason)
                    .containsExactly(Conditions.TRUE, Conditions.POD_TERMINATED);
            assertThat(ClaimFixtures.reason(live(client, ns, "alice"))).isEqualTo(Conditions.IDLE_SUSPENDED);
        });
        assertThat(pvc(ns, name).getMetadata().getUid())
                .as("the volume is kept")
                .isEqualTo(pvcUid);
        assertThat(awaitEvents(ns, "alice", Conditions.IDLE_SUSPENDED, 1))
                .singleElement()
                .satisfies(e -> assertThat(e.getMessage())
                        .contains("sandbox " + name + " suspended", "Suspend after 3s without requests"));
        assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("agent_sandbox_idle_suspensions_total{namespace=\"" + ns + "\"");

        RouterWrites.wake(client, ns, name);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(ClaimFixtures.isReady(live(client, ns, "alice"))).isTrue();
            assertThat(sandbox(ns, name).getMetadata().getAnnotations())
                    .doesNotContainKey(IdleAnnotations.SUSPENDED_BY);
        });
        assertThat(client.pods().inNamespace(ns).withName(name).get())
                .as("the Pod is back")
                .isNotNull();
        assertThat(pvc(ns, name).getMetadata().getUid()).isEqualTo(pvcUid);
        awaitEvents(ns, "alice", IdleSleep.IDLE_WOKEN, 1);
        // and it sleeps again after another timeout without requests
        awaitSuspended(ns, name);
        awaitEvents(ns, "alice", Conditions.IDLE_SUSPENDED, 2);
    }

    @Test
    void activityPostponesTheSleep() {
        String ns = namespace("idle-activity");
        readyPool(ns, Map.of(IdleAnnotations.IDLE_TIMEOUT, TIMEOUT), 1);
        client.resource(ClaimFixtures.claim(ns, "bob", "pool", "bob")).create();
        String name = awaitReady(ns, "bob").getStatus().getSandbox().getName();

        Instant lastActivity = Instant.now();
        for (int i = 0; i < 6; i++) {
            lastActivity = Instant.now();
            RouterWrites.activity(client, ns, name, lastActivity);
            pause(Duration.ofSeconds(1));
            assertRunningAndUnmarked(sandbox(ns, name));
        }
        pause(Duration.ofMillis(1500));
        assertRunningAndUnmarked(sandbox(ns, name));
        awaitSuspended(ns, name);
        assertThat(Duration.between(lastActivity, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void withDeleteAsTheActionTheIdleClaimIsDeleted() {
        String ns = namespace("idle-delete");
        readyPool(ns, Map.of(IdleAnnotations.IDLE_TIMEOUT, "2s", IdleAnnotations.IDLE_ACTION, "Delete"), 1);
        client.resource(ClaimFixtures.claim(ns, "carol", "pool", "carol")).create();
        String name = awaitReady(ns, "carol").getStatus().getSandbox().getName();

        await().atMost(WAIT).until(() -> live(client, ns, "carol") == null);
        await().atMost(WAIT).until(() -> sandbox(ns, name) == null);
        assertThat(awaitEvents(ns, "carol", IdleSleep.IDLE_DELETED, 1))
                .singleElement()
                .satisfies(e -> assertThat(e.getMessage()).contains("Delete after 2s without requests"));
        assertThat(given().get("/q/metrics").then().extract().asString())
                .contains("agent_sandbox_idle_deletions_total{namespace=\"" + ns + "\"");
    }

    @Test
    void aBadValueIsReportedAndNothingSleeps() {
        String ns = namespace("idle-invalid");
        readyPool(ns, Map.of(IdleAnnotations.IDLE_TIMEOUT, "soon"), 2);
        client.resource(ClaimFixtures.claim(ns, "dave", "pool", "dave")).create();
        SandboxClaim badAction = ClaimFixtures.claim(ns, "erin", "pool", "erin");
        badAction
                .getMetadata()
                .setAnnotations(Map.of(IdleAnnotations.IDLE_TIMEOUT, "2s", IdleAnnotations.IDLE_ACTION, "Sleep"));
        client.resource(badAction).create();
        String dave = awaitReady(ns, "dave").getStatus().getSandbox().getName();
        String erin = awaitReady(ns, "erin").getStatus().getSandbox().getName();

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(condition(live(client, ns, "dave").getStatus().getConditions(), Conditions.IDLE_POLICY_ACCEPTED))
                    .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
                    .containsExactly(
                            Conditions.FALSE,
                            Conditions.INVALID_IDLE_POLICY,
                            "SandboxTemplate " + ns + "/pool-tpl: annotation agents.x-k8s.io/idle-timeout: \"soon\""
                                    + " is not a duration; expected a Go duration such as 15m, 1h30m or 90s, or"
                                    + " ISO-8601 such as PT15M; the idle policy is not applied");
            assertThat(events(ns, "pool-tpl", Conditions.INVALID_IDLE_POLICY))
                    .singleElement()
                    .satisfies(e -> {
                        assertThat(e.getType()).isEqualTo("Warning");
                        assertThat(e.getInvolvedObject().getKind()).isEqualTo(SandboxTemplate.KIND);
                    });
            assertThat(events(ns, "erin", Conditions.INVALID_IDLE_POLICY))
                    .singleElement()
                    .satisfies(e -> assertThat(e.getMessage())
                            .contains("SandboxClaim " + ns + "/erin", "idle-action", "\"Sleep\""));
        });
        pause(Duration.ofSeconds(4));
        for (String claim : List.of("dave", "erin")) {
            assertThat(ClaimFixtures.isReady(live(client, ns, claim)))
                    .as("%s keeps working", claim)
                    .isTrue();
        }
        assertRunningAndUnmarked(sandbox(ns, dave));
        assertRunningAndUnmarked(sandbox(ns, erin));
    }

    @Test
    void aPolicyAddedLaterToAClaimOrToItsTemplateTakesEffect() {
        String ns = namespace("idle-later");
        readyPool(ns, Map.of(), 2);
        client.resource(ClaimFixtures.claim(ns, "frank", "pool", "frank")).create();
        client.resource(ClaimFixtures.claim(ns, "grace", "pool", "grace")).create();
        String frank = awaitReady(ns, "frank").getStatus().getSandbox().getName();
        String grace = awaitReady(ns, "grace").getStatus().getSandbox().getName();

        client.resources(SandboxClaim.class).inNamespace(ns).withName("frank").edit(c -> {
            // added to the controller's own annotations (the commit), as kubectl annotate does
            c.getMetadata().getAnnotations().put(IdleAnnotations.IDLE_TIMEOUT, "2s");
            return c;
        });
        awaitSuspended(ns, frank);
        assertRunningAndUnmarked(sandbox(ns, grace));

        client.resources(SandboxTemplate.class)
                .inNamespace(ns)
                .withName("pool-tpl")
                .edit(t -> {
                    Map<String, String> annotations = t.getMetadata().getAnnotations() == null
                            ? new HashMap<>()
                            : new HashMap<>(t.getMetadata().getAnnotations());
                    annotations.put(IdleAnnotations.IDLE_TIMEOUT, "2s");
                    t.getMetadata().setAnnotations(annotations);
                    return t;
                });
        awaitSuspended(ns, grace);
    }

    Sandbox awaitSuspended(String ns, String name) {
        return await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> sandbox(ns, name), s -> s.getSpec().getOperatingMode() == OperatingMode.SUSPENDED);
    }

    SandboxClaim awaitReady(String ns, String claim) {
        return await().atMost(WAIT).until(() -> live(client, ns, claim), ClaimFixtures::isReady);
    }

    static void assertRunningAndUnmarked(Sandbox sandbox) {
        assertThat(sandbox.getSpec().getOperatingMode())
                .as("operatingMode of %s", sandbox.getMetadata().getName())
                .isNotEqualTo(OperatingMode.SUSPENDED);
        assertThat(
                        sandbox.getMetadata().getAnnotations() == null
                                ? Map.of()
                                : sandbox.getMetadata().getAnnotations())
                .doesNotContainKey(IdleAnnotations.SUSPENDED_BY);
    }

    /** A template with {@code annotations} and a small volume, and a pool of {@code replicas} Ready members. */
    void readyPool(String ns, Map<String, String> annotations, int replicas) {
        SandboxTemplate template = PoolFixtures.template(ns, "pool-tpl", "agent:1");
        template.getMetadata().setAnnotations(new HashMap<>(annotations));
        VolumeClaimTemplate volume = new VolumeClaimTemplate();
        VolumeClaimMetadata meta = new VolumeClaimMetadata();
        meta.setName("history");
        volume.setMetadata(meta);
        volume.setSpec(new PersistentVolumeClaimSpecBuilder()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName("")
                .withNewResources()
                .addToRequests("storage", new Quantity("16Mi"))
                .endResources()
                .build());
        template.getSpec().setVolumeClaimTemplates(List.of(volume));
        client.resource(template).create();
        client.resource(PoolFixtures.pool(ns, "pool", "pool-tpl", replicas, null))
                .create();
        await().atMost(WAIT)
                .until(
                        () -> PoolFixtures.livePool(client, ns, "pool").getStatus(),
                        status -> status != null && Integer.valueOf(replicas).equals(status.getReadyReplicas()));
    }

    Sandbox sandbox(String ns, String name) {
        return client.resources(Sandbox.class).inNamespace(ns).withName(name).get();
    }

    PersistentVolumeClaim pvc(String ns, String sandbox) {
        return client.persistentVolumeClaims()
                .inNamespace(ns)
                .withName("history-" + sandbox)
                .get();
    }

    /** Events are written a moment after the change they report (controller.DeferredWrites). */
    List<Event> awaitEvents(String ns, String object, String reason, int count) {
        return await().atMost(WAIT).until(() -> events(ns, object, reason), e -> e.size() == count);
    }

    List<Event> events(String ns, String object, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())
                        && object.equals(e.getInvolvedObject().getName()))
                .toList();
    }

    static Condition condition(List<Condition> conditions, String type) {
        return Conditions.find(conditions, type).orElse(null);
    }

    private String namespace(String ns) {
        if (realControlPlane()) {
            RealControlPlane.namespace(client, ns);
        }
        return ns;
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
