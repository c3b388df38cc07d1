package dev.agentsandbox.controller.claim;

import static dev.agentsandbox.controller.claim.ClaimFixtures.claim;
import static dev.agentsandbox.controller.claim.ClaimFixtures.isReady;
import static dev.agentsandbox.controller.claim.ClaimFixtures.live;
import static dev.agentsandbox.controller.claim.ClaimFixtures.reason;
import static dev.agentsandbox.controller.claim.ClaimFixtures.sandboxesOf;
import static dev.agentsandbox.controller.warmpool.PoolFixtures.livePool;
import static dev.agentsandbox.controller.warmpool.PoolFixtures.members;
import static dev.agentsandbox.controller.warmpool.PoolFixtures.pool;
import static dev.agentsandbox.controller.warmpool.PoolFixtures.template;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentsandbox.api.AdditionalPodMetadata;
import dev.agentsandbox.api.ClaimEnvVar;
import dev.agentsandbox.api.ClaimLifecycle;
import dev.agentsandbox.api.ClaimShutdownPolicy;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.EnvVarsInjectionPolicy;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxTemplate;
import dev.agentsandbox.api.VolumeClaimMetadata;
import dev.agentsandbox.api.VolumeClaimTemplate;
import dev.agentsandbox.controller.warmpool.PoolTestProfile;
import dev.agentsandbox.testing.TestKubelet;
import dev.agentsandbox.testing.WithEmbeddedApiServer;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(PoolTestProfile.class)
@WithEmbeddedApiServer
class ClaimReconcilerIT {

    static final Duration WAIT = Duration.ofSeconds(40);

    @Inject
    KubernetesClient client;

    @Inject
    ClaimReconciler reconciler;

    TestKubelet kubelet;

    @BeforeEach
    void startKubelet() {
        kubelet = new TestKubelet(client).start();
    }

    @AfterEach
    void stopKubelet() {
        kubelet.close();
    }

    @Test
    void claimOnAReadyPoolIsAdoptedWarmAndThePoolRefills() {
        String ns = "claim-warm";
        readyPool(ns, 2);
        Set<String> before = names(members(client, ns, "pool"));
        Map<String, String> podUids = new HashMap<>();
        before.forEach(n -> podUids.put(
                n, client.pods().inNamespace(ns).withName(n).get().getMetadata().getUid()));

        SandboxClaim claim = claim(ns, "alice-claim", "pool", "alice");
        AdditionalPodMetadata extra = new AdditionalPodMetadata();
        extra.setLabels(Map.of("sandbox.users.io/team", "blue"));
        extra.setAnnotations(Map.of("example.com/note", "hi"));
        claim.getSpec().setAdditionalPodMetadata(extra);
        client.resource(claim).create();

        SandboxClaim ready = awaitReady(ns, "alice-claim");
        String name = ready.getStatus().getSandbox().getName();
        assertThat(before).contains(name);
        assertThat(ready.getStatus().getSandbox().getPodIPs()).isNotEmpty();
        assertThat(ready.getMetadata().getAnnotations())
                .containsEntry(Labels.SANDBOX_NAME, name)
                .containsKeys(Labels.CONTROLLER_FIRST_OBSERVED_AT, Labels.CLAIM_FIRST_READY_AT);
        Sandbox sandbox =
                client.resources(Sandbox.class).inNamespace(ns).withName(name).get();
        assertThat(sandbox.getMetadata().getLabels())
                .containsEntry(Labels.LAUNCH_TYPE, Labels.LAUNCH_TYPE_WARM)
                .containsEntry(Labels.CLAIM_UID, ready.getMetadata().getUid())
                .containsEntry(Labels.OWNER, "alice")
                .containsKey(Labels.SANDBOX_TEMPLATE_REF_HASH)
                .doesNotContainKey(Labels.WARM_POOL_SANDBOX);
        assertThat(sandbox.getMetadata().getAnnotations()).containsEntry(Labels.POD_NAME, name);
        assertThat(sandbox.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo(SandboxClaim.KIND);
            assertThat(r.getUid()).isEqualTo(ready.getMetadata().getUid());
            assertThat(r.getController()).isTrue();
        });
        assertThat(sandbox.getSpec().getPodTemplate().getMetadata().getLabels())
                .containsEntry("sandbox.users.io/team", "blue");
        // The live Pod was not replaced.
        assertThat(client.pods()
                        .inNamespace(ns)
                        .withName(name)
                        .get()
                        .getMetadata()
                        .getUid())
                .isEqualTo(podUids.get(name));
        // ... but relabelled in place by the Sandbox controller: the router and the NetworkPolicy see the adoption.
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods()
                        .inNamespace(ns)
                        .withName(name)
                        .get()
                        .getMetadata()
                        .getLabels())
                .containsEntry(Labels.OWNER, "alice")
                .containsEntry(Labels.CLAIM_UID, ready.getMetadata().getUid())
                .containsEntry(Labels.LAUNCH_TYPE, Labels.LAUNCH_TYPE_WARM)
                .containsEntry(
                        Labels.SANDBOX_TEMPLATE_REF_HASH,
                        sandbox.getMetadata().getLabels().get(Labels.SANDBOX_TEMPLATE_REF_HASH))
                .doesNotContainKey(Labels.WARM_POOL_SANDBOX));
        assertThat(client.pods()
                        .inNamespace(ns)
                        .withName(name)
                        .get()
                        .getMetadata()
                        .getUid())
                .isEqualTo(podUids.get(name));
        await().atMost(WAIT).untilAsserted(() -> assertThat(reasons(ns)).contains(SandboxAssignment.SANDBOX_ADOPTED));

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(members(client, ns, "pool"))
                    .hasSize(2)
                    .noneMatch(s -> s.getMetadata().getName().equals(name));
            assertThat(livePool(client, ns, "pool").getStatus().getReadyReplicas())
                    .isEqualTo(2);
        });

        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains("agent_sandbox_claim_controller_startup_latency_ms_count{launch_type=\"warm\"")
                .contains("agent_sandbox_claim_creation_total{")
                .contains("agent_sandbox_warm_pool_ready{")
                .contains("agent_sandboxes{launch_type=\"warm\",namespace=\"" + ns + "\"");
    }

    @Test
    void claimOnAPoolWithoutReadyMembersStartsColdAfterTheWait() {
        String ns = "claim-cold";
        kubelet.autoReady(false);
        client.resource(template(ns, "tpl", "agent:1")).create();
        client.resource(pool(ns, "pool", "tpl", 1, null)).create();
        await().atMost(WAIT).until(() -> members(client, ns, "pool").size() == 1);

        Instant created = Instant.now();
        client.resource(claim(ns, "bob", "pool", "bob")).create();
        await().atMost(WAIT)
                .until(() -> client.resources(Sandbox.class)
                                .inNamespace(ns)
                                .withName("bob")
                                .get()
                        != null);
        Duration waited = Duration.between(created, Instant.now());
        assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(1800));
        Sandbox cold =
                client.resources(Sandbox.class).inNamespace(ns).withName("bob").get();
        assertThat(cold.getMetadata().getLabels())
                .containsEntry(Labels.LAUNCH_TYPE, Labels.LAUNCH_TYPE_COLD)
                .containsEntry(Labels.OWNER, "bob")
                .containsEntry(
                        Labels.CLAIM_UID, live(client, ns, "bob").getMetadata().getUid());
        assertThat(cold.getSpec().getPodTemplate().getSpec().getAutomountServiceAccountToken())
                .isFalse();
        assertThat(reason(live(client, ns, "bob"))).isEqualTo(Conditions.SANDBOX_NOT_READY);

        Pod pod = await().atMost(WAIT)
                .until(() -> client.pods().inNamespace(ns).withName("bob").get(), p -> p != null);
        // The owner label reaches the Pod through the Sandbox.
        assertThat(pod.getMetadata().getLabels()).containsEntry(Labels.OWNER, "bob");
        kubelet.running(pod, true);
        SandboxClaim ready = awaitReady(ns, "bob");
        assertThat(ready.getStatus().getSandbox().getName()).isEqualTo("bob");
        await().atMost(WAIT).untilAsserted(() -> assertThat(reasons(ns)).contains(ColdStart.SANDBOX_PROVISIONED));
    }

    @Test
    void claimOnAnEmptyPoolStartsColdWithoutWaiting() {
        String ns = "claim-zero";
        client.resource(template(ns, "tpl", "agent:1")).create();
        client.resource(pool(ns, "pool", "tpl", 0, null)).create();
        await().atMost(WAIT).until(() -> livePool(client, ns, "pool").getStatus() != null);
        client.resource(claim(ns, "carol", "pool")).create();
        SandboxClaim ready = awaitReady(ns, "carol");
        assertThat(ready.getStatus().getSandbox().getName()).isEqualTo("carol");
        String observed = ready.getMetadata().getAnnotations().get(Labels.CONTROLLER_FIRST_OBSERVED_AT);
        String first = ready.getMetadata().getAnnotations().get(Labels.CLAIM_FIRST_READY_AT);
        assertThat(Duration.between(Instant.parse(observed), Instant.parse(first)))
                .isLessThan(Duration.ofMillis(1800));
    }

    @Test
    void fiftyClaimsOnAPoolOfTwentyGetFiftyDistinctReadySandboxes() throws Exception {
        String ns = "claim-burst";
        readyPool(ns, 20);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            names.add("c" + i);
        }
        createAllAtOnce(ns, names);
        assertBurstGuarantees(ns, names, 20);
    }

    @Test
    void aCommitLeftByACrashedControllerIsFinishedAndALostOneReassigned() throws Exception {
        String ns = "claim-restart";
        readyPool(ns, 6);
        List<Sandbox> members = members(client, ns, "pool");
        // What a controller that died between the two writes of an adoption leaves: the claim carries the commit,
        // the Sandbox is still the pool's. Two claims even name the same member: only one may get it.
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SandboxClaim c = claim(ns, "committed-" + i, "pool");
            c.getMetadata()
                    .setAnnotations(Map.of(
                            Labels.SANDBOX_NAME, members.get(i).getMetadata().getName()));
            names.add(c.getMetadata().getName());
            client.resource(c).create();
        }
        SandboxClaim twin = claim(ns, "committed-twin", "pool");
        twin.getMetadata()
                .setAnnotations(
                        Map.of(Labels.SANDBOX_NAME, members.get(0).getMetadata().getName()));
        client.resource(twin).create();
        names.add("committed-twin");
        assertBurstGuarantees(ns, names, 4);
        List<String> fresh = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            fresh.add("fresh-" + i);
        }
        createAllAtOnce(ns, fresh);
        // A restart in the middle of the burst: the process forgets its reservations and uncached commits.
        reconciler.forgetProcessState();
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            after.add("after-" + i);
        }
        createAllAtOnce(ns, after);
        reconciler.forgetProcessState();
        names.addAll(fresh);
        names.addAll(after);
        assertBurstGuarantees(ns, names, 6);
        for (int i = 1; i < 3; i++) {
            assertThat(live(client, ns, "committed-" + i)
                            .getStatus()
                            .getSandbox()
                            .getName())
                    .isEqualTo(members.get(i).getMetadata().getName());
        }
        String first = members.get(0).getMetadata().getName();
        boolean zeroGotIt = first.equals(
                live(client, ns, "committed-0").getStatus().getSandbox().getName());
        boolean twinGotIt = first.equals(
                live(client, ns, "committed-twin").getStatus().getSandbox().getName());
        assertThat(zeroGotIt ^ twinGotIt)
                .as("exactly one of the two claims naming %s got it", first)
                .isTrue();
        await().atMost(WAIT).untilAsserted(() -> assertThat(reasons(ns)).contains(Conditions.ADOPTION_CONFLICT));
    }

    @Test
    void missingPoolAndTemplateAreReportedAndRecoverWhenTheyAppear() {
        String ns = "claim-missing";
        client.resource(claim(ns, "early", "pool")).create();
        await().atMost(WAIT).until(() -> Conditions.WARM_POOL_NOT_FOUND.equals(reason(live(client, ns, "early"))));
        assertThat(ClaimFixtures.ready(live(client, ns, "early")).getMessage()).contains("pool");

        client.resource(pool(ns, "pool", "tpl", 1, null)).create();
        await().atMost(WAIT).until(() -> Conditions.TEMPLATE_NOT_FOUND.equals(reason(live(client, ns, "early"))));
        assertThat(ClaimFixtures.ready(live(client, ns, "early")).getMessage()).contains("tpl");

        client.resource(template(ns, "tpl", "agent:1")).create();
        awaitReady(ns, "early");
    }

    @Test
    void invalidPodMetadataIsRefused() {
        String ns = "claim-metadata";
        readyPool(ns, 1);
        assertInvalid(ns, "router", Map.of("app", "sandbox-router"), null, "app=sandbox-router");
        assertInvalid(ns, "nodomain", Map.of("team", "x"), null, "labels[team]");
        assertInvalid(ns, "otherdomain", Map.of("example.com/team", "x"), null, "sandbox.users.io");
        assertInvalid(ns, "k8sannotation", null, Map.of("kubernetes.io/change-cause", "x"), "annotations");
        assertInvalid(ns, "agentannotation", null, Map.of("agents.x-k8s.io/pod-name", "x"), "annotations");
        assertThat(client.resources(Sandbox.class).inNamespace(ns).list().getItems())
                .allSatisfy(s -> assertThat(s.getMetadata().getLabels()).containsKey(Labels.WARM_POOL_SANDBOX));
    }

    @Test
    void envAndVolumeClaimTemplatesFollowTheTemplatePolicies() {
        String ns = "claim-policies";
        readyPool(ns, 1);
        SandboxClaim disallowed = claim(ns, "env-disallowed", "pool");
        disallowed.getSpec().setEnv(List.of(env("FOO", "1", null)));
        client.resource(disallowed).create();
        await().atMost(WAIT).untilAsserted(() -> {
            SandboxClaim c = live(client, ns, "env-disallowed");
            assertThat(reason(c)).isEqualTo(Conditions.ENV_VARS_INJECTION_REJECTED);
            assertThat(ClaimFixtures.ready(c).getMessage()).contains("spec.env").contains("Disallowed");
        });

        SandboxClaim vct = claim(ns, "vct-disallowed", "pool");
        VolumeClaimTemplate volume = new VolumeClaimTemplate();
        VolumeClaimMetadata meta = new VolumeClaimMetadata();
        meta.setName("data");
        volume.setMetadata(meta);
        vct.getSpec().setVolumeClaimTemplates(List.of(volume));
        client.resource(vct).create();
        await().atMost(WAIT).untilAsserted(() -> {
            SandboxClaim c = live(client, ns, "vct-disallowed");
            assertThat(reason(c)).isEqualTo(Conditions.VOLUME_CLAIM_TEMPLATES_ERROR);
            assertThat(ClaimFixtures.ready(c).getMessage()).contains("spec.volumeClaimTemplates");
        });

        // Allowed adds but never replaces; Overrides replaces. Either way env forces a cold start.
        SandboxTemplate tpl = client.resources(SandboxTemplate.class)
                .inNamespace(ns)
                .withName("tpl")
                .get();
        tpl.getSpec().setEnvVarsInjectionPolicy(EnvVarsInjectionPolicy.ALLOWED);
        tpl.getSpec()
                .getPodTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .setEnv(List.of(new EnvVarBuilder()
                        .withName("MODE")
                        .withValue("template")
                        .build()));
        client.resource(tpl).update();
        // the claim refused under the old policy goes through under the new one, without being touched
        awaitReady(ns, "env-disallowed");
        SandboxClaim override = claim(ns, "env-override", "pool");
        override.getSpec().setEnv(List.of(env("MODE", "claim", null)));
        client.resource(override).create();
        await().atMost(WAIT).untilAsserted(() -> {
            SandboxClaim c = live(client, ns, "env-override");
            assertThat(reason(c)).isEqualTo(Conditions.ENV_VARS_INJECTION_REJECTED);
            assertThat(ClaimFixtures.ready(c).getMessage())
                    .contains("spec.env[0].name")
                    .contains("MODE");
        });
        SandboxClaim missingContainer = claim(ns, "env-container", "pool");
        missingContainer.getSpec().setEnv(List.of(env("FOO", "1", "sidecar")));
        client.resource(missingContainer).create();
        await().atMost(WAIT).untilAsserted(() -> {
            // the first look may come before the controller's first status write
            assertThat(ClaimFixtures.ready(live(client, ns, "env-container"))).isNotNull();
            assertThat(ClaimFixtures.ready(live(client, ns, "env-container")).getMessage())
                    .contains("spec.env[0].containerName")
                    .contains("sidecar");
        });

        SandboxClaim added = claim(ns, "env-added", "pool");
        added.getSpec().setEnv(List.of(env("EXTRA", "yes", "agent")));
        client.resource(added).create();
        SandboxClaim ready = awaitReady(ns, "env-added");
        assertThat(ready.getStatus().getSandbox().getName()).isEqualTo("env-added");
        Sandbox sandbox = client.resources(Sandbox.class)
                .inNamespace(ns)
                .withName("env-added")
                .get();
        assertThat(sandbox.getMetadata().getLabels()).containsEntry(Labels.LAUNCH_TYPE, Labels.LAUNCH_TYPE_COLD);
        assertThat(sandbox.getSpec()
                        .getPodTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .extracting(e -> e.getName() + "=" + e.getValue())
                .containsExactly("MODE=template", "EXTRA=yes");

        tpl = client.resources(SandboxTemplate.class)
                .inNamespace(ns)
                .withName("tpl")
                .get();
        tpl.getSpec().setEnvVarsInjectionPolicy(EnvVarsInjectionPolicy.OVERRIDES);
        client.resource(tpl).update();
        await().atMost(WAIT)
                .until(() -> EnvVarsInjectionPolicy.OVERRIDES
                        == client.resources(SandboxTemplate.class)
                                .inNamespace(ns)
                                .withName("tpl")
                                .get()
                                .getSpec()
                                .getEnvVarsInjectionPolicy());
        SandboxClaim replaced = claim(ns, "env-replaced", "pool");
        replaced.getSpec().setEnv(List.of(env("MODE", "claim", null)));
        ClaimReconcilerIT.sleep(500);
        client.resource(replaced).create();
        awaitReady(ns, "env-replaced");
        assertThat(client.resources(Sandbox.class)
                        .inNamespace(ns)
                        .withName("env-replaced")
                        .get()
                        .getSpec()
                        .getPodTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .extracting(e -> e.getName() + "=" + e.getValue())
                .containsExactly("MODE=claim");
    }

    @Test
    void retainDeletesOnlyTheSandboxAtShutdownTime() {
        String ns = "claim-retain";
        readyPool(ns, 1);
        SandboxClaim claim = claim(ns, "short", "pool");
        claim.getSpec()
                .setLifecycle(
                        lifecycle(ClaimShutdownPolicy.RETAIN, Instant.now().plusSeconds(3)));
        client.resource(claim).create();
        String sandbox = awaitReady(ns, "short").getStatus().getSandbox().getName();
        await().atMost(WAIT).untilAsserted(() -> {
            SandboxClaim c = live(client, ns, "short");
            assertThat(reason(c)).isEqualTo(Conditions.CLAIM_EXPIRED);
            assertThat(client.resources(Sandbox.class)
                            .inNamespace(ns)
                            .withName(sandbox)
                            .get())
                    .isNull();
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(reasons(ns)).contains(Conditions.CLAIM_EXPIRED));
    }

    @Test
    void finishedIsMirroredAndTtlAfterFinishedExpiresTheClaim() {
        String ns = "claim-finished";
        readyPool(ns, 1);
        SandboxClaim claim = claim(ns, "job", "pool");
        ClaimLifecycle lifecycle = new ClaimLifecycle();
        lifecycle.setShutdownPolicy(ClaimShutdownPolicy.RETAIN);
        lifecycle.setTtlSecondsAfterFinished(2L);
        claim.getSpec().setLifecycle(lifecycle);
        client.resource(claim).create();
        String sandbox = awaitReady(ns, "job").getStatus().getSandbox().getName();

        // The workload ends: the Sandbox controller sets Finished, the claim mirrors it, and the TTL runs from there.
        kubelet.succeeded(client.pods().inNamespace(ns).withName(sandbox).get());
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                        Conditions.find(live(client, ns, "job").getStatus().getConditions(), Conditions.FINISHED))
                .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(Conditions.TRUE)));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(reason(live(client, ns, "job"))).isEqualTo(Conditions.CLAIM_EXPIRED);
            assertThat(client.resources(Sandbox.class)
                            .inNamespace(ns)
                            .withName(sandbox)
                            .get())
                    .isNull();
        });
    }

    @Test
    void deleteAndDeleteForegroundRemoveTheClaimAtShutdownTime() {
        String ns = "claim-delete";
        readyPool(ns, 2);
        SandboxClaim background = claim(ns, "bg", "pool");
        background
                .getSpec()
                .setLifecycle(
                        lifecycle(ClaimShutdownPolicy.DELETE, Instant.now().plusSeconds(3)));
        SandboxClaim foreground = claim(ns, "fg", "pool");
        foreground
                .getSpec()
                .setLifecycle(lifecycle(
                        ClaimShutdownPolicy.DELETE_FOREGROUND, Instant.now().plusSeconds(3)));
        client.resource(background).create();
        client.resource(foreground).create();
        String bgSandbox = awaitReady(ns, "bg").getStatus().getSandbox().getName();
        String fgSandbox = awaitReady(ns, "fg").getStatus().getSandbox().getName();
        // The embedded API server garbage-collects by ownerReferences: the claims and their Sandboxes really go.
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(live(client, ns, "bg")).isNull();
            assertThat(live(client, ns, "fg")).isNull();
            assertThat(client.resources(Sandbox.class)
                            .inNamespace(ns)
                            .withName(bgSandbox)
                            .get())
                    .isNull();
            assertThat(client.resources(Sandbox.class)
                            .inNamespace(ns)
                            .withName(fgSandbox)
                            .get())
                    .isNull();
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(reasons(ns)).contains(Conditions.CLAIM_EXPIRED));
    }

    // ---------------------------------------------------------------------------------------------------------

    private void assertInvalid(
            String ns, String name, Map<String, String> labels, Map<String, String> annotations, String messagePart) {
        SandboxClaim claim = claim(ns, name, "pool");
        AdditionalPodMetadata extra = new AdditionalPodMetadata();
        extra.setLabels(labels);
        extra.setAnnotations(annotations);
        claim.getSpec().setAdditionalPodMetadata(extra);
        client.resource(claim).create();
        await().atMost(WAIT).untilAsserted(() -> {
            SandboxClaim c = live(client, ns, name);
            assertThat(reason(c)).isEqualTo(Conditions.INVALID_METADATA);
            assertThat(ClaimFixtures.ready(c).getMessage()).contains(messagePart);
        });
    }

    private static ClaimLifecycle lifecycle(ClaimShutdownPolicy policy, Instant at) {
        ClaimLifecycle lifecycle = new ClaimLifecycle();
        lifecycle.setShutdownPolicy(policy);
        lifecycle.setShutdownTime(at.toString());
        return lifecycle;
    }

    private static ClaimEnvVar env(String name, String value, String container) {
        ClaimEnvVar var = new ClaimEnvVar();
        var.setName(name);
        var.setValue(value);
        var.setContainerName(container);
        return var;
    }

    void readyPool(String ns, int replicas) {
        client.resource(template(ns, "tpl", "agent:1")).create();
        client.resource(pool(ns, "pool", "tpl", replicas, null)).create();
        await().atMost(WAIT).untilAsserted(() -> {
            var live = livePool(client, ns, "pool");
            assertThat(live.getStatus()).isNotNull();
            assertThat(live.getStatus().getReadyReplicas()).isEqualTo(replicas);
        });
    }

    SandboxClaim awaitReady(String ns, String name) {
        return await().atMost(WAIT)
                .until(
                        () -> live(client, ns, name),
                        c -> isReady(c)
                                && c.getMetadata().getAnnotations() != null
                                && c.getMetadata().getAnnotations().containsKey(Labels.CLAIM_FIRST_READY_AT));
    }

    void createAllAtOnce(String ns, List<String> names) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        for (String name : names) {
            pool.submit(() -> client.resource(claim(ns, name, "pool")).create());
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }

    /** Every claim Ready, each with exactly one Sandbox, no Sandbox shared, at least {@code minWarm} warm. */
    void assertBurstGuarantees(String ns, List<String> names, int minWarm) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            for (String name : names) {
                assertThat(isReady(live(client, ns, name)))
                        .as("claim %s Ready", name)
                        .isTrue();
            }
        });
        Set<String> assigned = new HashSet<>();
        int warm = 0;
        for (String name : names) {
            SandboxClaim c = live(client, ns, name);
            String sandbox = c.getStatus().getSandbox().getName();
            assertThat(assigned.add(sandbox))
                    .as("sandbox %s given to two claims", sandbox)
                    .isTrue();
            List<Sandbox> owned = sandboxesOf(client, c);
            assertThat(owned).as("sandboxes of claim %s", name).singleElement().satisfies(s -> assertThat(
                            s.getMetadata().getName())
                    .isEqualTo(sandbox));
            if (Labels.LAUNCH_TYPE_WARM.equals(
                    owned.get(0).getMetadata().getLabels().get(Labels.LAUNCH_TYPE))) {
                warm++;
            }
            assertThat(owned.get(0).getMetadata().getLabels())
                    .containsEntry(Labels.CLAIM_UID, c.getMetadata().getUid());
        }
        assertThat(warm).isGreaterThanOrEqualTo(minWarm);
    }

    private List<String> reasons(String ns) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .map(Event::getReason)
                .toList();
    }

    private static Set<String> names(List<Sandbox> sandboxes) {
        Set<String> result = new HashSet<>();
        sandboxes.forEach(s -> result.add(s.getMetadata().getName()));
        return result;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
