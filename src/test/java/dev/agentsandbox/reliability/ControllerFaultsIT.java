package dev.agentsandbox.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentsandbox.api.ClaimEnvVar;
import dev.agentsandbox.api.ClaimLifecycle;
import dev.agentsandbox.api.ClaimShutdownPolicy;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.EnvVarsInjectionPolicy;
import dev.agentsandbox.api.NetworkPolicyManagement;
import dev.agentsandbox.api.PodTemplate;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxSpec;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.SandboxTemplateSpec;
import dev.agentsandbox.api.ShutdownPolicy;
import dev.agentsandbox.api.VolumeClaimMetadata;
import dev.agentsandbox.api.VolumeClaimTemplate;
import dev.agentsandbox.api.VolumeClaimTemplatesPolicy;
import dev.agentsandbox.controller.claim.ClaimFixtures;
import dev.agentsandbox.controller.sandbox.SandboxControllerTestProfile;
import dev.agentsandbox.controller.warmpool.PoolFixtures;
import dev.agentsandbox.local.apiserver.ApiFault;
import dev.agentsandbox.local.apiserver.ApiFaults;
import dev.agentsandbox.local.apiserver.EmbeddedApiServer;
import dev.agentsandbox.testing.EmbeddedApi;
import dev.agentsandbox.testing.TestKubelet;
import dev.agentsandbox.testing.WithEmbeddedApiServer;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpecBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * All four controllers (the real application, controller role) against the embedded API server with injected
 * faults: a quarter of the writes to Pods and Sandboxes answered 409; the API server answering 503 to everything for
 * seconds; 409s on a quarter of the writes to claims, pools and Sandboxes during a claim burst on a warm pool; and
 * the Operator stopped and a new one started ({@link OperatorRestart}) in the middle of a pool fill and of a claim
 * burst. Every API call the application makes is recorded ({@link ApiCalls}) and checked against the generated
 * RBAC after the run, both ways ({@link RbacCoverage}). The test's own client and kubelet identify themselves by
 * their user agent so their calls are not counted as the controller's.
 */
@QuarkusTest
@WithEmbeddedApiServer(namespace = ControllerFaultsIT.NS)
@QuarkusTestResource(value = ApiCallRecording.class, restrictToAnnotatedClass = true)
@TestProfile(SandboxControllerTestProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControllerFaultsIT {

    static final String NS = "test";
    static final Duration FAULT_WINDOW = Duration.ofSeconds(20);
    static final String TEST_AGENT = "reliability-test-client";
    static final ApiCalls calls = new ApiCalls(TEST_AGENT);
    static final java.util.concurrent.atomic.AtomicInteger testsRun = new java.util.concurrent.atomic.AtomicInteger();

    @EmbeddedApi
    EmbeddedApiServer server;

    @EmbeddedApi
    ApiFaults faults;

    /** The Operator the application started; the restart tests replace it. */
    @Inject
    Operator operator;

    KubernetesClient client;
    TestKubelet kubelet;
    SharedIndexInformer<Pod> kubeletRetries;

    @BeforeEach
    void start() {
        client = ApiCalls.clientIdentifiedAs(server, NS, TEST_AGENT);
        // The kubelet's own writes meet the injected conflicts too; a real kubelet retries, so this one does.
        kubelet = new TestKubelet(client).autoReady(false);
        kubeletRetries = client.pods().inNamespace(NS).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                if (pod.getStatus() == null || pod.getStatus().getPhase() == null) {
                    for (int attempt = 0; attempt < 50; attempt++) {
                        try {
                            kubelet.running(pod, true);
                            return;
                        } catch (KubernetesClientException e) {
                            // injected 409 or 503: try again
                        }
                    }
                }
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {}

            @Override
            public void onDelete(Pod pod, boolean unknown) {}
        });
    }

    @AfterEach
    void stop() {
        testsRun.incrementAndGet();
        faults.clear();
        kubeletRetries.close();
        client.close();
    }

    @AfterAll
    static void rbacCoversEveryCallTheControllerMade() throws Exception {
        try {
            long tests = java.util.Arrays.stream(ControllerFaultsIT.class.getDeclaredMethods())
                    .filter(m -> m.isAnnotationPresent(Test.class))
                    .count();
            if (testsRun.get() < tests) {
                // A single test (-Dit.test='ControllerFaultsIT#...') does not drive every path the role grants.
                System.out.printf(
                        "RELIABILITY rbac not compared: %d of %d tests ran; run the whole class%n",
                        testsRun.get(), tests);
                return;
            }
            RbacCoverage.check(calls);
        } finally {
            OperatorRestart.stopRestarted();
        }
    }

    @Test
    @Order(1)
    void conflictsOnAQuarterOfWritesStillConvergeWithoutDuplicatesOrOrphans() throws InterruptedException {
        int count = 20;
        int before = faults.injectedCount();
        // Writes of Pods and Sandboxes (create, update, patch, status), not the kubelet's pods/*/status.
        String pods = "/api/v1/namespaces/" + NS + "/pods(/[^/?]+)?(\\?.*)?";
        String sandboxes =
                "/apis/agents\\.x-k8s\\.io/v1beta1/namespaces/" + NS + "/sandboxes(/[^/?]+(/status)?)?(\\?.*)?";
        for (String method : List.of("POST", "PUT", "PATCH")) {
            faults.inject(
                    ApiFault.on(method, pods).respond(409).probability(0.25).always());
            faults.inject(ApiFault.on(method, sandboxes)
                    .respond(409)
                    .probability(0.25)
                    .always());
        }
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            createRetryingInjectedConflicts(sandbox("conflict-" + i));
        }
        // Conflicts stay on for a window of reconciling; what is not Ready by then must converge once they stop.
        // (Under conflicts that never stop, convergence is paced by the reconciler's backoff: 1 s doubling to 300 s.)
        long window = System.nanoTime() + FAULT_WINDOW.toNanos();
        while (System.nanoTime() < window && readyCount("conflict-") < count) {
            Thread.sleep(250);
        }
        long readyUnderFaults = readyCount("conflict-");
        int injected = faults.injectedCount() - before;
        faults.clear();
        awaitOrDescribe("conflict-", () -> readyCount("conflict-") == count);
        long convergedMillis = (System.nanoTime() - start) / 1_000_000;

        List<Pod> pods409 = podsOf("conflict-");
        System.out.printf(
                "RELIABILITY controller-conflicts sandboxes=%d injected409=%d readyWithinFaultWindow=%d "
                        + "convergedMs=%d pods=%d%n",
                count, injected, readyUnderFaults, convergedMillis, pods409.size());
        assertThat(injected).as("conflicts injected").isGreaterThan(count / 2);
        assertNoDuplicatesNorOrphans("conflict-", count);

        deleteAll("conflict-");
        await().atMost(Duration.ofSeconds(30)).until(() -> podsOf("conflict-").isEmpty());
        System.out.printf(
                "RELIABILITY controller-conflicts-cleanup leftoverPods=%d%n",
                podsOf("conflict-").size());
    }

    @Test
    @Order(2)
    void anApiServerUnavailableForSecondsIsOutlivedAndTheControllerResumes() throws Exception {
        client.resource(sandbox("steady")).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> readyCount("steady") == 1);

        int outageSeconds = 6;
        int before = faults.injectedCount();
        // Everything but the test's own create of the Sandbox fails: lists, watches, Pod writes, status updates.
        ApiFault outage = faults.inject(
                ApiFault.on("*", "(?!/apis/agents\\.x-k8s\\.io/v1beta1/namespaces/" + NS + "/sandboxes$).*")
                        .respond(503)
                        .always());
        client.resource(sandbox("during-outage")).create();
        Thread.sleep(outageSeconds * 1000L);
        faults.remove(outage);
        int injected = faults.injectedCount() - before;
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> readyCount("during-outage") == 1);
        long resumedMillis = (System.nanoTime() - start) / 1_000_000;
        client.resource(sandbox("after-outage")).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> readyCount("after-outage") == 1);
        System.out.printf(
                "RELIABILITY controller-outage seconds=%d injected503=%d readyAfterOutageMs=%d%n",
                outageSeconds, injected, resumedMillis);
        assertThat(injected).isPositive();
        assertThat(readyCount("steady"))
                .as("a Sandbox Ready before the outage is still Ready")
                .isEqualTo(1);
        assertNoDuplicatesNorOrphans("during-outage", 1);
        assertNoDuplicatesNorOrphans("after-outage", 1);
        assertNoDuplicatesNorOrphans("steady", 1);
        deleteAll("during-outage");
        deleteAll("after-outage");
        deleteAll("steady");
    }

    @Test
    @Order(3)
    void servicesVolumesAndTemplatePoliciesConvergeUnderConflictsToo() throws InterruptedException {
        int before = faults.injectedCount();
        String dependents = "/api(s/networking\\.k8s\\.io)?/v1/namespaces/" + NS
                + "/(services|persistentvolumeclaims|networkpolicies)(/[^/?]+)?(\\?.*)?";
        // The first two creates always conflict, so the run cannot pass without meeting a fault (with 11 writes, a
        // 25 % chance alone leaves about 4 % of runs with none).
        faults.inject(ApiFault.on("POST", dependents).respond(409).times(2));
        for (String method : List.of("POST", "PUT", "PATCH")) {
            faults.inject(ApiFault.on(method, dependents)
                    .respond(409)
                    .probability(0.25)
                    .always());
        }
        SandboxTemplate template = new SandboxTemplate();
        template.setMetadata(
                new ObjectMetaBuilder().withName("guarded").withNamespace(NS).build());
        SandboxTemplateSpec templateSpec = new SandboxTemplateSpec();
        templateSpec.setPodTemplate(sandbox("x").getSpec().getPodTemplate());
        template.setSpec(templateSpec);
        client.resource(template).create();
        int count = 5;
        for (int i = 0; i < count; i++) {
            Sandbox sandbox = sandbox("served-" + i);
            sandbox.getSpec().setService(true);
            VolumeClaimTemplate vct = new VolumeClaimTemplate();
            VolumeClaimMetadata meta = new VolumeClaimMetadata();
            meta.setName("data");
            vct.setMetadata(meta);
            vct.setSpec(new PersistentVolumeClaimSpecBuilder()
                    .withAccessModes("ReadWriteOnce")
                    .withNewResources()
                    .addToRequests("storage", new Quantity("1Gi"))
                    .endResources()
                    .build());
            sandbox.getSpec().setVolumeClaimTemplates(List.of(vct));
            client.resource(sandbox).create();
        }
        long window = System.nanoTime() + FAULT_WINDOW.toNanos();
        while (System.nanoTime() < window && !servedConverged(count)) {
            Thread.sleep(250);
        }
        int injected = faults.injectedCount() - before;
        faults.clear();
        awaitOrDescribe("served-", () -> servedConverged(count));
        long services = client.services().inNamespace(NS).list().getItems().stream()
                .filter(s -> s.getMetadata().getName().startsWith("served-"))
                .count();
        long volumes = client.persistentVolumeClaims().inNamespace(NS).list().getItems().stream()
                .filter(v -> v.getMetadata().getName().contains("served-"))
                .count();
        long policies = client.network()
                .v1()
                .networkPolicies()
                .inNamespace(NS)
                .list()
                .getItems()
                .size();
        System.out.printf(
                "RELIABILITY controller-dependents-conflicts sandboxes=%d injected409=%d services=%d pvcs=%d "
                        + "networkPolicies=%d%n",
                count, injected, services, volumes, policies);
        assertThat(injected).isPositive();
        assertNoDuplicatesNorOrphans("served-", count);
        assertThat(services).as("one Service per Sandbox").isEqualTo(count);
        assertThat(volumes).as("one PVC per Sandbox").isEqualTo(count);
        assertThat(policies).as("one NetworkPolicy for the template").isEqualTo(1);

        // The controllers' delete paths: served-0 expires with Delete (the controller deletes its Pod, Service and
        // PVC, then the Sandbox), and the template turns Unmanaged (the controller deletes the policy it owns).
        client.resources(Sandbox.class).inNamespace(NS).withName("served-0").edit(s -> {
            s.getSpec().setShutdownTime(Instant.now().minusSeconds(1).toString());
            s.getSpec().setShutdownPolicy(ShutdownPolicy.DELETE);
            return s;
        });
        client.resources(SandboxTemplate.class)
                .inNamespace(NS)
                .withName("guarded")
                .edit(t -> {
                    t.getSpec().setNetworkPolicyManagement(NetworkPolicyManagement.UNMANAGED);
                    return t;
                });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(client.resources(Sandbox.class)
                            .inNamespace(NS)
                            .withName("served-0")
                            .get())
                    .isNull();
            assertThat(client.pods().inNamespace(NS).withName("served-0").get()).isNull();
            assertThat(client.services().inNamespace(NS).withName("served-0").get())
                    .isNull();
            assertThat(client.persistentVolumeClaims().inNamespace(NS).list().getItems())
                    .noneMatch(v -> v.getMetadata().getName().contains("served-0"));
            assertThat(client.network()
                            .v1()
                            .networkPolicies()
                            .inNamespace(NS)
                            .withName("guarded-network-policy")
                            .get())
                    .isNull();
        });
        deleteAll("served-");
        client.resource(template).delete();
    }

    @Test
    @Order(4)
    void aClaimBurstOnAPoolUnderConflictsOnClaimPoolAndSandboxWritesAdoptsEachSandboxOnce() throws Exception {
        String pool = "burst";
        int replicas = 10;
        int claims = 30;
        int before = faults.injectedCount();
        SandboxTemplate template = PoolFixtures.template(NS, "burst-tpl", "agent-sandbox-agent:test");
        template.getSpec().setVolumeClaimTemplatesPolicy(VolumeClaimTemplatesPolicy.ALLOWED);
        template.getSpec().setEnvVarsInjectionPolicy(EnvVarsInjectionPolicy.ALLOWED);
        client.resource(template).create();
        client.resource(PoolFixtures.pool(NS, pool, "burst-tpl", replicas, null))
                .create();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> PoolFixtures.members(client, NS, pool).stream()
                                .filter(ControllerFaultsIT::isReady)
                                .count()
                        == replicas);
        // Writes (create, update, patch, status) of claims, pools and Sandboxes by anyone but the test's own
        // creates, which retry below: a quarter answered 409 for the whole burst.
        String claimsOrPools = "/apis/extensions\\.agents\\.x-k8s\\.io/v1beta1/namespaces/" + NS
                + "/(sandboxclaims|sandboxwarmpools)(/[^/?]+(/status)?)?(\\?.*)?";
        String sandboxes =
                "/apis/agents\\.x-k8s\\.io/v1beta1/namespaces/" + NS + "/sandboxes(/[^/?]+(/status)?)?(\\?.*)?";
        for (String method : List.of("POST", "PUT", "PATCH")) {
            faults.inject(ApiFault.on(method, claimsOrPools)
                    .respond(409)
                    .probability(0.25)
                    .always());
            faults.inject(ApiFault.on(method, sandboxes)
                    .respond(409)
                    .probability(0.25)
                    .always());
        }
        long start = System.nanoTime();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < claims; i++) {
            names.add("burst-" + i);
        }
        ExecutorService burst = Executors.newFixedThreadPool(8);
        for (String name : names) {
            burst.submit(() -> createRetryingInjectedConflicts(ClaimFixtures.claim(NS, name, pool)));
        }
        burst.shutdown();
        assertThat(burst.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        // A cold start with a volume of its own (an env var forces it) and an expiring claim with Delete, so every
        // writing path of the claim controller runs under the same faults.
        SandboxClaim cold = ClaimFixtures.claim(NS, "cold-volume", pool);
        ClaimEnvVar env = new ClaimEnvVar();
        env.setName("EXTRA");
        env.setValue("yes");
        cold.getSpec().setEnv(List.of(env));
        cold.getSpec().setVolumeClaimTemplates(List.of(volume("scratch")));
        createRetryingInjectedConflicts(cold);
        SandboxClaim expiring = ClaimFixtures.claim(NS, "expiring", pool);
        ClaimLifecycle lifecycle = new ClaimLifecycle();
        lifecycle.setShutdownPolicy(ClaimShutdownPolicy.DELETE);
        lifecycle.setShutdownTime(Instant.now().plusSeconds(4).toString());
        expiring.getSpec().setLifecycle(lifecycle);
        createRetryingInjectedConflicts(expiring);

        List<String> all = new ArrayList<>(names);
        all.add("cold-volume");
        long window = System.nanoTime() + FAULT_WINDOW.toNanos();
        while (System.nanoTime() < window && readyClaims(all) < all.size()) {
            Thread.sleep(250);
        }
        long readyUnderFaults = readyClaims(all);
        int injected = faults.injectedCount() - before;
        faults.clear();
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> readyClaims(all) == all.size());
        await().atMost(Duration.ofSeconds(30)).until(() -> ClaimFixtures.live(client, NS, "expiring") == null);
        long convergedMillis = (System.nanoTime() - start) / 1_000_000;
        ClaimBurst result = ClaimBurst.assertAdoptedOnce(client, NS, all);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> PoolFixtures.members(client, NS, pool).size() == replicas);
        long pvcs = client.persistentVolumeClaims().inNamespace(NS).list().getItems().stream()
                .filter(v -> v.getMetadata().getName().contains("cold-volume"))
                .count();
        System.out.printf(
                "RELIABILITY claim-burst-conflicts pool=%d claims=%d injected409=%d readyWithinFaultWindow=%d "
                        + "convergedMs=%d warm=%d cold=%d poolMembersAfter=%d coldPvcs=%d%n",
                replicas,
                all.size(),
                injected,
                readyUnderFaults,
                convergedMillis,
                result.warm(),
                result.cold(),
                PoolFixtures.members(client, NS, pool).size(),
                pvcs);
        assertThat(injected).as("conflicts injected").isGreaterThan(claims / 2);
        assertThat(pvcs).as("the cold claim's own volume").isEqualTo(1);
        assertNoOrphanPods();
    }

    @Test
    @Order(5)
    void aControllerRestartInTheMiddleOfAWarmPoolFillEndsWithExactlyReplicasMembers() throws Exception {
        int replicas = 20;
        client.resource(PoolFixtures.template(NS, "fill-tpl", "agent-sandbox-agent:test"))
                .create();
        // A slow API server (150 ms per Sandbox create) so the fill takes long enough to be cut in its middle.
        faults.inject(ApiFault.on("POST", "/apis/agents\\.x-k8s\\.io/v1beta1/namespaces/" + NS + "/sandboxes")
                .delay(Duration.ofMillis(150))
                .always());
        long start = System.nanoTime();
        client.resource(PoolFixtures.pool(NS, "fill", "fill-tpl", replicas, null))
                .create();
        // Stop as soon as the fill has begun: some members exist, not all of them are Ready.
        await().atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> !PoolFixtures.members(client, NS, "fill").isEmpty());
        List<Sandbox> atStop = PoolFixtures.members(client, NS, "fill");
        long readyAtStop = atStop.stream().filter(ControllerFaultsIT::isReady).count();
        Operator next = OperatorRestart.restart(operator, Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> PoolFixtures.members(client, NS, "fill").stream()
                                .filter(ControllerFaultsIT::isReady)
                                .count()
                        == replicas);
        long filledMillis = (System.nanoTime() - start) / 1_000_000;
        // Settled, not passing through: still exactly `replicas` a few seconds later (no surplus created late).
        Thread.sleep(3000);
        List<Sandbox> members = PoolFixtures.members(client, NS, "fill");
        long pods = client.pods().inNamespace(NS).list().getItems().stream()
                .filter(p -> p.getMetadata().getName().startsWith("fill-"))
                .count();
        System.out.printf(
                "RELIABILITY controller-restart-pool-fill replicas=%d membersAtStop=%d readyAtStop=%d filledMs=%d "
                        + "membersAfter=%d podsAfter=%d controllersAfterRestart=%d%n",
                replicas,
                atStop.size(),
                readyAtStop,
                filledMillis,
                members.size(),
                pods,
                next.getRegisteredControllersNumber());
        assertThat(readyAtStop).as("stopped in the middle of the fill").isLessThan(replicas);
        assertThat(members).as("exactly replicas members").hasSize(replicas);
        assertThat(pods).as("one Pod per member").isEqualTo(replicas);
        assertNoOrphanPods();
    }

    @Test
    @Order(6)
    void aControllerRestartInTheMiddleOfAClaimBurstGivesEveryClaimItsOwnSandbox() throws Exception {
        String pool = "burst2";
        int replicas = 10;
        int claims = 30;
        client.resource(PoolFixtures.template(NS, "burst2-tpl", "agent-sandbox-agent:test"))
                .create();
        client.resource(PoolFixtures.pool(NS, pool, "burst2-tpl", replicas, null))
                .create();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> PoolFixtures.members(client, NS, pool).stream()
                                .filter(ControllerFaultsIT::isReady)
                                .count()
                        == replicas);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < claims; i++) {
            names.add("restart-" + i);
        }
        long start = System.nanoTime();
        ExecutorService burst = Executors.newFixedThreadPool(4);
        for (String name : names) {
            burst.submit(() -> {
                client.resource(ClaimFixtures.claim(NS, name, pool)).create();
                Thread.sleep(20);
                return null;
            });
        }
        burst.shutdown();
        // Stop in the middle of the burst: some claims created and adopting, the rest arriving while down.
        await().atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> client.resources(SandboxClaim.class).inNamespace(NS).list().getItems().stream()
                                .filter(c -> c.getMetadata().getName().startsWith("restart-"))
                                .count()
                        >= claims / 3);
        long readyWhenStopped = readyClaims(names);
        OperatorRestart.restart(operator, Duration.ofSeconds(1));
        assertThat(burst.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> readyClaims(names) == claims);
        long convergedMillis = (System.nanoTime() - start) / 1_000_000;
        ClaimBurst result = ClaimBurst.assertAdoptedOnce(client, NS, names);
        awaitPoolSizeOrDescribe(pool, replicas);
        System.out.printf(
                "RELIABILITY controller-restart-claim-burst pool=%d claims=%d readyWhenStopped=%d convergedMs=%d "
                        + "warm=%d cold=%d poolMembersAfter=%d%n",
                replicas,
                claims,
                readyWhenStopped,
                convergedMillis,
                result.warm(),
                result.cold(),
                PoolFixtures.members(client, NS, pool).size());
        assertThat(readyWhenStopped).as("stopped in the middle of the burst").isLessThan(claims);
        assertNoOrphanPods();
    }

    /** Waits for the pool to hold exactly {@code replicas} members; on a timeout, says what the pool shows. */
    private void awaitPoolSizeOrDescribe(String pool, int replicas) {
        try {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> PoolFixtures.members(client, NS, pool).size() == replicas);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.printf(
                    "RELIABILITY stuck pool=%s members=%s status=%s%n",
                    pool,
                    PoolFixtures.members(client, NS, pool).stream()
                            .map(s -> s.getMetadata().getName() + (isReady(s) ? "(ready)" : "(not ready)"))
                            .toList(),
                    io.fabric8.kubernetes.client.utils.Serialization.asJson(
                            PoolFixtures.livePool(client, NS, pool).getStatus()));
            throw e;
        }
    }

    /** Every Pod has exactly one controller owner: a live Sandbox of the same name. */
    private void assertNoOrphanPods() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, String> uids = client.resources(Sandbox.class).inNamespace(NS).list().getItems().stream()
                    .collect(Collectors.toMap(
                            s -> s.getMetadata().getName(), s -> s.getMetadata().getUid()));
            for (Pod pod : client.pods().inNamespace(NS).list().getItems()) {
                List<OwnerReference> controllers = pod.getMetadata().getOwnerReferences().stream()
                        .filter(r -> Boolean.TRUE.equals(r.getController()))
                        .toList();
                assertThat(controllers)
                        .as(
                                "pod %s has one controlling owner",
                                pod.getMetadata().getName())
                        .singleElement()
                        .satisfies(r -> assertThat(r.getUid())
                                .isEqualTo(uids.get(pod.getMetadata().getName())));
            }
        });
    }

    private long readyClaims(List<String> names) {
        return names.stream()
                .filter(n -> ClaimFixtures.isReady(ClaimFixtures.live(client, NS, n)))
                .count();
    }

    private static boolean isReady(Sandbox s) {
        return s.getStatus() != null && Conditions.isTrue(s.getStatus().getConditions(), Conditions.READY);
    }

    private static VolumeClaimTemplate volume(String name) {
        VolumeClaimTemplate vct = new VolumeClaimTemplate();
        VolumeClaimMetadata meta = new VolumeClaimMetadata();
        meta.setName(name);
        vct.setMetadata(meta);
        vct.setSpec(new PersistentVolumeClaimSpecBuilder()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .build());
        return vct;
    }

    /** Waits for convergence once the faults have stopped; on a timeout, says what each unfinished Sandbox shows. */
    private void awaitOrDescribe(String prefix, java.util.concurrent.Callable<Boolean> converged) {
        try {
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(250))
                    .until(converged);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            for (Sandbox s : sandboxesOf(prefix)) {
                Pod pod = client.pods()
                        .inNamespace(NS)
                        .withName(s.getMetadata().getName())
                        .get();
                System.out.printf(
                        "RELIABILITY stuck sandbox=%s rv=%s conditions=%s pod=%s%n",
                        s.getMetadata().getName(),
                        s.getMetadata().getResourceVersion(),
                        s.getStatus() == null ? null : s.getStatus().getConditions(),
                        pod == null
                                ? null
                                : pod.getStatus() == null
                                        ? "no status"
                                        : pod.getStatus().getPhase() + " "
                                                + pod.getStatus().getConditions());
            }
            throw e;
        }
    }

    private boolean servedConverged(int count) {
        return readyCount("served-") == count
                && client.network()
                                .v1()
                                .networkPolicies()
                                .inNamespace(NS)
                                .withName("guarded-network-policy")
                                .get()
                        != null;
    }

    private void assertNoDuplicatesNorOrphans(String prefix, int count) {
        List<Sandbox> sandboxes = sandboxesOf(prefix);
        Map<String, String> uids = sandboxes.stream()
                .collect(Collectors.toMap(
                        s -> s.getMetadata().getName(), s -> s.getMetadata().getUid()));
        List<Pod> pods = podsOf(prefix);
        assertThat(pods).as("one Pod per Sandbox, no duplicate").hasSize(count);
        for (Pod pod : pods) {
            List<OwnerReference> controllers = pod.getMetadata().getOwnerReferences().stream()
                    .filter(r -> Boolean.TRUE.equals(r.getController()))
                    .toList();
            assertThat(controllers)
                    .as("pod %s has one controlling owner", pod.getMetadata().getName())
                    .hasSize(1);
            assertThat(controllers.get(0).getUid())
                    .as("pod %s is owned by its live Sandbox", pod.getMetadata().getName())
                    .isEqualTo(uids.get(pod.getMetadata().getName()));
        }
        Set<String> podNames = pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
        assertThat(podNames).isEqualTo(uids.keySet());
    }

    private void createRetryingInjectedConflicts(io.fabric8.kubernetes.api.model.HasMetadata sandbox) {
        for (int attempt = 0; ; attempt++) {
            try {
                client.resource(sandbox).create();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409
                        || attempt > 20
                        || e.getMessage() == null
                        || !e.getMessage().contains("injected")) {
                    throw e;
                }
            }
        }
    }

    private long readyCount(String prefix) {
        return sandboxesOf(prefix).stream()
                .filter(s ->
                        s.getStatus() != null && Conditions.isTrue(s.getStatus().getConditions(), Conditions.READY))
                .count();
    }

    private List<Sandbox> sandboxesOf(String prefix) {
        return client.resources(Sandbox.class).inNamespace(NS).list().getItems().stream()
                .filter(s -> s.getMetadata().getName().startsWith(prefix))
                .toList();
    }

    private List<Pod> podsOf(String prefix) {
        return client.pods().inNamespace(NS).list().getItems().stream()
                .filter(p -> p.getMetadata().getName().startsWith(prefix))
                .toList();
    }

    private void deleteAll(String prefix) {
        for (Sandbox s : new ArrayList<>(sandboxesOf(prefix))) {
            client.resource(s).delete();
        }
    }

    static Sandbox sandbox(String name) {
        Sandbox sandbox = new Sandbox();
        sandbox.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        SandboxSpec spec = new SandboxSpec();
        PodTemplate template = new PodTemplate();
        template.setSpec(new PodSpecBuilder()
                .withContainers(new ContainerBuilder()
                        .withName("agent")
                        .withImage("agent-sandbox-agent:test")
                        .build())
                .build());
        spec.setPodTemplate(template);
        sandbox.setSpec(spec);
        return sandbox;
    }
}
