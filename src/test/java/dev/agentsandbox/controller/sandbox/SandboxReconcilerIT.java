package dev.agentsandbox.controller.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.PodTemplate;
import dev.agentsandbox.api.PodTemplateMetadata;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxSpec;
import dev.agentsandbox.api.ShutdownPolicy;
import dev.agentsandbox.api.VolumeClaimMetadata;
import dev.agentsandbox.api.VolumeClaimTemplate;
import dev.agentsandbox.controller.Ownership;
import dev.agentsandbox.local.apiserver.ApiFault;
import dev.agentsandbox.local.apiserver.ApiFaults;
import dev.agentsandbox.testing.EmbeddedApi;
import dev.agentsandbox.testing.ReconcileContexts;
import dev.agentsandbox.testing.TestKubelet;
import dev.agentsandbox.testing.WithEmbeddedApiServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpecBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Sandbox controller against the embedded API server (real patch semantics, schema validation, garbage
 * collection), with {@link TestKubelet} moving Pods through their phases.
 */
@QuarkusTest
@TestProfile(SandboxControllerTestProfile.class)
@WithEmbeddedApiServer(namespace = SandboxReconcilerIT.NS)
class SandboxReconcilerIT {

    static final String NS = "test";
    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    KubernetesClient client;

    @Inject
    MutableClock clock;

    @Inject
    SandboxReconciler reconciler;

    @EmbeddedApi
    ApiFaults faults;

    TestKubelet kubelet;

    @BeforeEach
    void startKubelet() {
        kubelet = new TestKubelet(client).start();
    }

    @AfterEach
    void stopKubelet() {
        kubelet.close();
        clock.reset();
    }

    @Test
    void sandboxGetsAnOwnedPodAndBecomesReady() {
        Sandbox sandbox = sandbox("alpha");
        sandbox.getMetadata().setLabels(Map.of(Labels.OWNER, "alice"));
        client.resource(sandbox).create();

        awaitReady("alpha", true, Conditions.DEPENDENCIES_READY);
        Sandbox live = get("alpha");
        assertThat(live.getStatus().getPodIPs()).hasSize(1);
        assertThat(live.getStatus().getNodeName()).isEqualTo("test-node-1");
        assertThat(live.getStatus().getSelector()).isEqualTo(Labels.SANDBOX_NAME_HASH + "=" + NameHash.of("alpha"));
        assertThat(live.getStatus().getService()).isNull();
        assertThat(condition(live, Conditions.POD_SCHEDULED))
                .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
        assertThat(condition(live, Conditions.READY).orElseThrow().getObservedGeneration())
                .isEqualTo(live.getMetadata().getGeneration());
        assertThat(condition(live, Conditions.SUSPENDED)).as("never suspended").isEmpty();
        Pod pod = client.pods().inNamespace(NS).withName("alpha").get();
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getKind()).isEqualTo("Sandbox");
            assertThat(ref.getController()).isTrue();
            assertThat(ref.getUid()).isEqualTo(live.getMetadata().getUid());
        });
        assertThat(pod.getMetadata().getLabels())
                .containsEntry(Labels.SANDBOX_NAME_HASH, NameHash.of("alpha"))
                .containsEntry(Labels.OWNER, "alice")
                .containsEntry("app", "agent")
                .doesNotContainKey(Labels.PREFIX + "user-set");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(eventReasons("alpha")).contains("PodCreated", "SandboxReady"));

        String scrape =
                RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(scrape)
                .contains("agent_sandbox_creation_latency_ms_count{launch_type=\"none\",namespace=\"test\","
                        + "sandbox_template=\"none\"}");
        assertThat(scrape).contains("agent_sandbox_creation_latency_ms_bucket{");
        // The gauge counts the Sandboxes in the controller's cache: alpha is one of them.
        assertThat(scrape)
                .containsPattern("(?m)^agent_sandboxes\\{launch_type=\"none\",namespace=\"test\","
                        + "sandbox_template=\"none\"} [1-9][0-9]*\\.0$");
    }

    @Test
    void suspendThenResumeKeepsVolumeAndService() {
        Sandbox sandbox = sandbox("keep");
        sandbox.getSpec().setService(true);
        sandbox.getSpec().setVolumeClaimTemplates(List.of(vct("data", "1Gi")));
        sandbox.getSpec()
                .getPodTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .setPorts(List.of(
                        new ContainerPortBuilder().withContainerPort(8888).build()));
        client.resource(sandbox).create();

        awaitReady("keep", true, Conditions.DEPENDENCIES_READY);
        Sandbox live = get("keep");
        assertThat(live.getStatus().getService()).isEqualTo("keep");
        assertThat(live.getStatus().getServiceFQDN()).isEqualTo("keep.test.svc.cluster.local");
        Service service = client.services().inNamespace(NS).withName("keep").get();
        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(service.getSpec().getSelector()).containsEntry(Labels.SANDBOX_NAME_HASH, NameHash.of("keep"));
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("p-8888-tcp");
            assertThat(p.getPort()).isEqualTo(8888);
        });
        PersistentVolumeClaim pvc = client.persistentVolumeClaims()
                .inNamespace(NS)
                .withName("data-keep")
                .get();
        assertOwnedBy(pvc, live);
        assertThat(client.pods()
                        .inNamespace(NS)
                        .withName("keep")
                        .get()
                        .getSpec()
                        .getVolumes())
                .anySatisfy(v ->
                        assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data-keep"));
        String podUid = client.pods()
                .inNamespace(NS)
                .withName("keep")
                .get()
                .getMetadata()
                .getUid();

        setMode("keep", OperatingMode.SUSPENDED);
        awaitReady("keep", false, Conditions.SANDBOX_SUSPENDED);
        await().atMost(WAIT).untilAsserted(() -> {
            Sandbox s = get("keep");
            assertCondition(s, Conditions.SUSPENDED, "True", Conditions.POD_TERMINATED);
            assertThat(s.getStatus().getPodIPs()).isNull();
            assertThat(s.getStatus().getNodeName()).isNull();
            assertThat(condition(s, Conditions.POD_SCHEDULED)).isEmpty();
        });
        assertThat(client.pods().inNamespace(NS).withName("keep").get()).isNull();
        assertThat(client.services()
                        .inNamespace(NS)
                        .withName("keep")
                        .get()
                        .getMetadata()
                        .getUid())
                .isEqualTo(service.getMetadata().getUid());
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(NS)
                        .withName("data-keep")
                        .get()
                        .getMetadata()
                        .getUid())
                .isEqualTo(pvc.getMetadata().getUid());
        assertThat(get("keep").getStatus().getService()).isEqualTo("keep");

        setMode("keep", OperatingMode.RUNNING);
        awaitReady("keep", true, Conditions.DEPENDENCIES_READY);
        Sandbox resumed = get("keep");
        assertCondition(resumed, Conditions.SUSPENDED, "False", Conditions.NOT_SUSPENDED);
        Pod pod = client.pods().inNamespace(NS).withName("keep").get();
        assertThat(pod.getMetadata().getUid()).isNotEqualTo(podUid);
        assertThat(pod.getSpec().getVolumes())
                .anySatisfy(v ->
                        assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data-keep"));
        assertThat(client.services()
                        .inNamespace(NS)
                        .withName("keep")
                        .get()
                        .getMetadata()
                        .getUid())
                .isEqualTo(service.getMetadata().getUid());
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(NS)
                        .withName("data-keep")
                        .get()
                        .getMetadata()
                        .getUid())
                .isEqualTo(pvc.getMetadata().getUid());
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("keep"))
                .contains(
                        "ServiceCreated", "PersistentVolumeClaimCreated", "PodDeleted", Conditions.SANDBOX_SUSPENDED));
    }

    @Test
    void podPhasesGiveEveryReadyReasonAndFinished() {
        kubelet.autoReady(false);
        client.resource(sandbox("phases")).create();
        awaitReady("phases", false, Conditions.DEPENDENCIES_NOT_READY);
        Pod pod = awaitPod("phases");

        kubelet.unschedulable(pod);
        await().atMost(WAIT).untilAsserted(() -> {
            Sandbox s = get("phases");
            assertCondition(s, Conditions.POD_SCHEDULED, "False", "Unschedulable");
            assertThat(condition(s, Conditions.READY).orElseThrow().getMessage())
                    .contains("Unschedulable");
        });

        kubelet.running(pod, false);
        await().atMost(WAIT).untilAsserted(() -> {
            Sandbox s = get("phases");
            assertCondition(s, Conditions.POD_SCHEDULED, "True", "Scheduled");
            assertCondition(s, Conditions.READY, "False", Conditions.DEPENDENCIES_NOT_READY);
            assertThat(condition(s, Conditions.READY).orElseThrow().getMessage())
                    .contains("not Ready");
            assertThat(s.getStatus().getPodIPs()).hasSize(1);
        });

        kubelet.running(pod, true);
        awaitReady("phases", true, Conditions.DEPENDENCIES_READY);
        kubelet.notReady(pod);
        awaitReady("phases", false, Conditions.DEPENDENCIES_NOT_READY);

        kubelet.succeeded(pod);
        awaitReady("phases", false, Conditions.POD_SUCCEEDED);
        await().atMost(WAIT)
                .untilAsserted(
                        () -> assertCondition(get("phases"), Conditions.FINISHED, "True", Conditions.POD_SUCCEEDED));
        assertThat(client.pods()
                        .inNamespace(NS)
                        .withName("phases")
                        .get()
                        .getMetadata()
                        .getUid())
                .as("a finished Pod is not replaced")
                .isEqualTo(pod.getMetadata().getUid());

        client.resource(sandbox("failing")).create();
        Pod failing = awaitPod("failing");
        kubelet.failed(failing);
        awaitReady("failing", false, Conditions.POD_FAILED);
        await().atMost(WAIT)
                .untilAsserted(
                        () -> assertCondition(get("failing"), Conditions.FINISHED, "True", Conditions.POD_FAILED));
    }

    @Test
    void serviceTrueFalseAndUnset() {
        Sandbox sandbox = sandbox("svc");
        client.resource(sandbox).create();
        awaitReady("svc", true, Conditions.DEPENDENCIES_READY);
        assertThat(client.services().inNamespace(NS).withName("svc").get())
                .as("unset: never created")
                .isNull();

        editSpec("svc", s -> s.getSpec().setService(true));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.services().inNamespace(NS).withName("svc").get()).isNotNull();
            assertThat(get("svc").getStatus().getServiceFQDN()).isEqualTo("svc.test.svc.cluster.local");
        });
        String uid = client.services()
                .inNamespace(NS)
                .withName("svc")
                .get()
                .getMetadata()
                .getUid();

        editSpec("svc", s -> s.getSpec().setService(null));
        touch("svc");
        await().during(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(() -> {
            Service kept = client.services().inNamespace(NS).withName("svc").get();
            assertThat(kept).as("unset: an existing one is kept").isNotNull();
            assertThat(kept.getMetadata().getUid()).isEqualTo(uid);
            assertThat(get("svc").getStatus().getService()).isEqualTo("svc");
        });

        editSpec("svc", s -> s.getSpec().setService(false));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.services().inNamespace(NS).withName("svc").get())
                    .as("false: deleted")
                    .isNull();
            assertThat(get("svc").getStatus().getService()).isNull();
            assertThat(get("svc").getStatus().getServiceFQDN()).isNull();
        });
        awaitReady("svc", true, Conditions.DEPENDENCIES_READY);
    }

    @Test
    void expiryWithRetainKeepsSandboxAndVolumes() {
        Sandbox sandbox = sandbox("retain");
        sandbox.getSpec().setService(true);
        sandbox.getSpec().setVolumeClaimTemplates(List.of(vct("data", "1Gi")));
        sandbox.getSpec()
                .setShutdownTime(Instant.now()
                        .plus(Duration.ofHours(1))
                        .truncatedTo(ChronoUnit.SECONDS)
                        .toString());
        sandbox.getSpec().setShutdownPolicy(ShutdownPolicy.RETAIN);
        client.resource(sandbox).create();
        awaitReady("retain", true, Conditions.DEPENDENCIES_READY);

        clock.advance(Duration.ofHours(1).plusSeconds(5));
        touch("retain");
        awaitReady("retain", false, Conditions.SANDBOX_EXPIRED);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.pods().inNamespace(NS).withName("retain").get()).isNull();
            assertThat(client.services().inNamespace(NS).withName("retain").get())
                    .isNull();
            Sandbox s = get("retain");
            assertThat(s.getStatus().getPodIPs()).isNull();
            assertThat(s.getStatus().getService()).isNull();
        });
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(NS)
                        .withName("data-retain")
                        .get())
                .isNotNull();
        touch("retain");
        await().during(Duration.ofSeconds(2)).atMost(WAIT).untilAsserted(() -> {
            assertThat(client.pods().inNamespace(NS).withName("retain").get())
                    .as("not recreated")
                    .isNull();
            assertThat(get("retain")).isNotNull();
        });
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(eventReasons("retain")).contains(Conditions.SANDBOX_EXPIRED));
    }

    @Test
    void expiryWithDeleteHappensAtShutdownTimeWithoutPolling() {
        Instant shutdown = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
        Sandbox sandbox = sandbox("doomed");
        sandbox.getSpec().setService(true);
        sandbox.getSpec().setVolumeClaimTemplates(List.of(vct("data", "1Gi")));
        sandbox.getSpec().setShutdownTime(shutdown.toString());
        sandbox.getSpec().setShutdownPolicy(ShutdownPolicy.DELETE);
        client.resource(sandbox).create();
        awaitReady("doomed", true, Conditions.DEPENDENCIES_READY);
        await().until(() -> Instant.now().isAfter(shutdown.minusMillis(1000)));
        assertThat(get("doomed")).as("still there before its shutdown time").isNotNull();

        // Nothing touches the Sandbox: only the requeue at shutdownTime can expire it.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(get("doomed")).isNull();
            assertThat(client.pods().inNamespace(NS).withName("doomed").get()).isNull();
            assertThat(client.services().inNamespace(NS).withName("doomed").get())
                    .isNull();
            assertThat(client.persistentVolumeClaims()
                            .inNamespace(NS)
                            .withName("data-doomed")
                            .get())
                    .isNull();
        });
        assertThat(Instant.now()).isAfterOrEqualTo(shutdown);
    }

    @Test
    void twoOwnedPodsFailClosed() {
        client.resource(sandbox("twin")).create();
        awaitReady("twin", true, Conditions.DEPENDENCIES_READY);
        Sandbox live = get("twin");
        Pod first = client.pods().inNamespace(NS).withName("twin").get();
        Pod extra = new PodBuilder()
                .withNewMetadata()
                .withName("twin-extra")
                .withNamespace(NS)
                .withLabels(Map.of(Labels.SANDBOX_NAME_HASH, NameHash.of("twin")))
                .withOwnerReferences(Ownership.controllerReference(live))
                .endMetadata()
                .withSpec(live.getSpec().getPodTemplate().getSpec())
                .build();
        client.resource(extra).create();

        awaitReady("twin", false, Conditions.MULTIPLE_PODS);
        assertThat(condition(get("twin"), Conditions.READY).orElseThrow().getMessage())
                .contains("twin", "twin-extra");
        await().atMost(WAIT).untilAsserted(() -> assertThat(warnings("twin")).contains(Conditions.MULTIPLE_PODS));
        // Fail closed: nothing deleted, nothing relabelled.
        editSandbox("twin", s -> s.getMetadata().getLabels().put(Labels.OWNER, "bob"));
        await().during(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(() -> {
            assertThat(client.pods()
                            .inNamespace(NS)
                            .withName("twin")
                            .get()
                            .getMetadata()
                            .getUid())
                    .isEqualTo(first.getMetadata().getUid());
            assertThat(client.pods()
                            .inNamespace(NS)
                            .withName("twin")
                            .get()
                            .getMetadata()
                            .getLabels())
                    .doesNotContainKey(Labels.OWNER);
            assertThat(client.pods().inNamespace(NS).withName("twin-extra").get())
                    .isNotNull();
        });
        assertThat(get("twin").getStatus().getPodIPs()).isNull();
    }

    @Test
    void podOwnedByAnotherControllerIsLeftAlone() {
        // The owner must exist: the API server's garbage collector deletes dependents of a missing owner.
        ReplicaSet owner = client.apps()
                .replicaSets()
                .inNamespace(NS)
                .resource(new ReplicaSetBuilder()
                        .withNewMetadata()
                        .withName("theirs")
                        .withNamespace(NS)
                        .endMetadata()
                        .withNewSpec()
                        .withReplicas(0)
                        .withNewSelector()
                        .addToMatchLabels("app", "theirs")
                        .endSelector()
                        .withNewTemplate()
                        .withNewMetadata()
                        .addToLabels("app", "theirs")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("c")
                        .withImage("x")
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build())
                .create();
        Pod foreign = new PodBuilder()
                .withNewMetadata()
                .withName("foreign")
                .withNamespace(NS)
                .withLabels(Map.of("app", "theirs"))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("apps/v1")
                        .withKind("ReplicaSet")
                        .withName("theirs")
                        .withUid(owner.getMetadata().getUid())
                        .withController(true)
                        .build())
                .endMetadata()
                .withSpec(new PodSpecBuilder()
                        .withContainers(new ContainerBuilder()
                                .withName("c")
                                .withImage("x")
                                .build())
                        .build())
                .build();
        kubelet.autoReady(false); // their Pod: only the controller could change it
        foreign = client.resource(foreign).create();
        String version = foreign.getMetadata().getResourceVersion();
        client.resource(sandbox("foreign")).create();

        awaitReady("foreign", false, Conditions.RECONCILER_ERROR);
        assertThat(condition(get("foreign"), Conditions.READY).orElseThrow().getMessage())
                .startsWith("sandbox test/foreign: Pod foreign is controlled by ReplicaSet/theirs");
        await().atMost(WAIT).untilAsserted(() -> assertThat(warnings("foreign")).contains(Conditions.RECONCILER_ERROR));
        Pod after = client.pods().inNamespace(NS).withName("foreign").get();
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(version);

        setMode("foreign", OperatingMode.SUSPENDED);
        await().atMost(WAIT)
                .untilAsserted(
                        () -> assertCondition(get("foreign"), Conditions.SUSPENDED, "False", Conditions.POD_NOT_OWNED));
        assertThat(client.pods()
                        .inNamespace(NS)
                        .withName("foreign")
                        .get()
                        .getMetadata()
                        .getResourceVersion())
                .as("not deleted by suspend either")
                .isEqualTo(version);
    }

    @Test
    void unownedObjectsAreAdoptedOnlyWithTheLabels() {
        Pod stray = new PodBuilder()
                .withNewMetadata()
                .withName("stray")
                .withNamespace(NS)
                .endMetadata()
                .withSpec(new PodSpecBuilder()
                        .withContainers(new ContainerBuilder()
                                .withName("c")
                                .withImage("x")
                                .build())
                        .build())
                .build();
        client.resource(stray).create();
        client.resource(sandbox("stray")).create();
        awaitReady("stray", false, Conditions.RECONCILER_ERROR);
        assertThat(condition(get("stray"), Conditions.READY).orElseThrow().getMessage())
                .contains("Pod stray", Labels.ADOPTABLE);
        assertThat(client.pods()
                        .inNamespace(NS)
                        .withName("stray")
                        .get()
                        .getMetadata()
                        .getOwnerReferences())
                .isNullOrEmpty();

        client.pods().inNamespace(NS).withName("stray").edit(p -> new PodBuilder(p)
                .editMetadata()
                .addToLabels(Labels.ADOPTABLE, "true")
                .endMetadata()
                .build());
        // The retry with backoff picks it up (the Pod is not yet in the controller's label-scoped cache).
        awaitReady("stray", true, Conditions.DEPENDENCIES_READY);
        assertOwnedBy(client.pods().inNamespace(NS).withName("stray").get(), get("stray"));

        Pod hashed = new PodBuilder()
                .withNewMetadata()
                .withName("hashed")
                .withNamespace(NS)
                .withLabels(Map.of(Labels.SANDBOX_NAME_HASH, NameHash.of("hashed")))
                .endMetadata()
                .withSpec(new PodSpecBuilder()
                        .withContainers(new ContainerBuilder()
                                .withName("c")
                                .withImage("x")
                                .build())
                        .build())
                .build();
        String hashedUid = client.resource(hashed).create().getMetadata().getUid();
        client.resource(sandbox("hashed")).create();
        awaitReady("hashed", true, Conditions.DEPENDENCIES_READY);
        Pod adopted = client.pods().inNamespace(NS).withName("hashed").get();
        assertThat(adopted.getMetadata().getUid()).isEqualTo(hashedUid);
        assertOwnedBy(adopted, get("hashed"));
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(eventReasons("hashed")).contains("PodAdopted"));
    }

    @Test
    void labelledServiceAndClaimAreAdoptedNotReplaced() {
        PersistentVolumeClaim claim = new PersistentVolumeClaim();
        claim.setMetadata(new ObjectMetaBuilder()
                .withName("data-adopt")
                .withNamespace(NS)
                .withLabels(Map.of(Labels.ADOPTABLE, "true"))
                .build());
        claim.setSpec(vct("data", "1Gi").getSpec());
        String claimUid = client.resource(claim).create().getMetadata().getUid();
        Service service = new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata()
                .withName("adopt")
                .withNamespace(NS)
                .withLabels(Map.of(Labels.SANDBOX_NAME_HASH, NameHash.of("adopt")))
                .endMetadata()
                .withNewSpec()
                .withClusterIP("None")
                .endSpec()
                .build();
        String serviceUid = client.resource(service).create().getMetadata().getUid();

        Sandbox sandbox = sandbox("adopt");
        sandbox.getSpec().setService(true);
        sandbox.getSpec().setVolumeClaimTemplates(List.of(vct("data", "1Gi")));
        client.resource(sandbox).create();
        awaitReady("adopt", true, Conditions.DEPENDENCIES_READY);

        Sandbox live = get("adopt");
        PersistentVolumeClaim adoptedClaim = client.persistentVolumeClaims()
                .inNamespace(NS)
                .withName("data-adopt")
                .get();
        assertThat(adoptedClaim.getMetadata().getUid()).isEqualTo(claimUid);
        assertOwnedBy(adoptedClaim, live);
        assertThat(adoptedClaim.getMetadata().getLabels())
                .containsEntry(Labels.SANDBOX_NAME_HASH, NameHash.of("adopt"));
        Service adoptedService =
                client.services().inNamespace(NS).withName("adopt").get();
        assertThat(adoptedService.getMetadata().getUid()).isEqualTo(serviceUid);
        assertOwnedBy(adoptedService, live);
        assertThat(adoptedService.getSpec().getSelector())
                .containsEntry(Labels.SANDBOX_NAME_HASH, NameHash.of("adopt"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventReasons("adopt"))
                .contains("PersistentVolumeClaimAdopted", "ServiceAdopted"));
    }

    @Test
    void labelAndAnnotationChangesRelabelTheLivePodInPlace() {
        Sandbox sandbox = sandbox("relabel");
        sandbox.getMetadata()
                .setLabels(new HashMap<>(
                        Map.of(Labels.WARM_POOL_SANDBOX, "pool-hash", Labels.SANDBOX_TEMPLATE_REF_HASH, "tmpl-hash")));
        client.resource(sandbox).create();
        awaitReady("relabel", true, Conditions.DEPENDENCIES_READY);
        Pod before = client.pods().inNamespace(NS).withName("relabel").get();
        assertThat(before.getMetadata().getLabels()).containsEntry(Labels.WARM_POOL_SANDBOX, "pool-hash");

        // What the claim controller does on adoption: pool label off, claim labels and owner on, pod-name annotation.
        editSandbox("relabel", s -> {
            s.getMetadata().getLabels().remove(Labels.WARM_POOL_SANDBOX);
            s.getMetadata().getLabels().put(Labels.CLAIM_UID, "claim-1");
            s.getMetadata().getLabels().put(Labels.LAUNCH_TYPE, Labels.LAUNCH_TYPE_WARM);
            s.getMetadata().getLabels().put(Labels.OWNER, "alice");
            s.getMetadata().setAnnotations(Map.of(Labels.POD_NAME, "relabel"));
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods()
                        .inNamespace(NS)
                        .withName("relabel")
                        .get()
                        .getMetadata()
                        .getLabels())
                .doesNotContainKey(Labels.WARM_POOL_SANDBOX)
                .containsEntry(Labels.CLAIM_UID, "claim-1")
                .containsEntry(Labels.OWNER, "alice")
                .containsEntry(Labels.SANDBOX_TEMPLATE_REF_HASH, "tmpl-hash"));

        editSpec("relabel", s -> {
            PodTemplateMetadata meta = new PodTemplateMetadata();
            meta.setLabels(Map.of("tier", "gold"));
            meta.setAnnotations(Map.of("example.com/note", "n"));
            s.getSpec().getPodTemplate().setMetadata(meta);
        });
        await().atMost(WAIT).untilAsserted(() -> {
            Pod pod = client.pods().inNamespace(NS).withName("relabel").get();
            assertThat(pod.getMetadata().getLabels())
                    .containsEntry("tier", "gold")
                    .doesNotContainKey("app");
            assertThat(pod.getMetadata().getAnnotations()).containsEntry("example.com/note", "n");
        });
        Pod after = client.pods().inNamespace(NS).withName("relabel").get();
        assertThat(after.getMetadata().getUid())
                .as("never restarted for metadata")
                .isEqualTo(before.getMetadata().getUid());
        assertThat(get("relabel").getStatus().getPodIPs())
                .isEqualTo(List.of(after.getStatus().getPodIP()));
    }

    @Test
    void changedVolumeClaimTemplatesAreRefusedWithoutTouchingThePvc() {
        Sandbox sandbox = sandbox("frozen");
        sandbox.getSpec().setVolumeClaimTemplates(List.of(vct("data", "1Gi")));
        client.resource(sandbox).create();
        awaitReady("frozen", true, Conditions.DEPENDENCIES_READY);
        PersistentVolumeClaim pvc = client.persistentVolumeClaims()
                .inNamespace(NS)
                .withName("data-frozen")
                .get();

        // A real API server refuses this edit (CRD validation rule); the test server has no validation.
        editSpec("frozen", s -> s.getSpec().setVolumeClaimTemplates(List.of(vct("data", "5Gi"))));
        awaitReady("frozen", false, Conditions.RECONCILER_ERROR);
        assertThat(condition(get("frozen"), Conditions.READY).orElseThrow().getMessage())
                .contains("spec.volumeClaimTemplates", "data-frozen");
        PersistentVolumeClaim after = client.persistentVolumeClaims()
                .inNamespace(NS)
                .withName("data-frozen")
                .get();
        assertThat(after.getMetadata().getResourceVersion())
                .isEqualTo(pvc.getMetadata().getResourceVersion());
        assertThat(after.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("1Gi"));
    }

    @Test
    void aPodRefusedBecauseTheNamespaceIsBeingDeletedIsNoError() {
        String ns = "terminating";
        int injectedBefore = faults.injectedCount();
        // what a real API server answers to every create while a namespace is being deleted, after its garbage
        // collector removed the Sandbox's Pod and before it removes the Sandbox
        ApiFault terminating = faults.inject(ApiFault.on("POST", "/api/v1/namespaces/" + ns + "/pods(\\?.*)?")
                .respond(403)
                .because("NamespaceTerminating")
                .always());
        try {
            Sandbox sandbox = sandbox("leaving");
            sandbox.getMetadata().setNamespace(ns);
            client.resource(sandbox).create();

            await().atMost(WAIT).until(() -> faults.injectedCount() > injectedBefore);
            // an error would show as Ready=False/ReconcilerError, with a Warning Event, and be retried with backoff
            await().during(Duration.ofSeconds(3)).atMost(WAIT).untilAsserted(() -> {
                Sandbox s = client.resources(Sandbox.class)
                        .inNamespace(ns)
                        .withName("leaving")
                        .get();
                assertThat(condition(s, Conditions.READY).map(Condition::getReason))
                        .isNotEqualTo(Optional.of(Conditions.RECONCILER_ERROR));
            });
        } finally {
            client.resources(Sandbox.class).inNamespace(ns).withName("leaving").delete();
            faults.remove(terminating);
        }
    }

    @Test
    void apiErrorsEndInReconcilerErrorAndAreRetriedWithBackoff() {
        String ns = "errors";
        // The API server refuses the first Pod create, as it does an invalid pod template.
        faults.inject(ApiFault.on("POST", "/api/v1/namespaces/" + ns + "/pods(\\?.*)?")
                .respond(422)
                .times(1));
        Sandbox sandbox = sandbox("bad");
        sandbox.getMetadata().setNamespace(ns);
        client.resource(sandbox).create();

        await().atMost(WAIT).untilAsserted(() -> {
            Sandbox s = client.resources(Sandbox.class)
                    .inNamespace(ns)
                    .withName("bad")
                    .get();
            assertCondition(s, Conditions.READY, "False", Conditions.RECONCILER_ERROR);
            assertThat(condition(s, Conditions.READY).orElseThrow().getMessage())
                    .startsWith("sandbox errors/bad: creating Pod bad failed: 422")
                    .contains("injected fault 422 for POST /api/v1/namespaces/errors/pods");
        });
        // The next attempt (after the backoff) succeeds.
        await().atMost(WAIT)
                .untilAsserted(() -> assertCondition(
                        client.resources(Sandbox.class)
                                .inNamespace(ns)
                                .withName("bad")
                                .get(),
                        Conditions.READY,
                        "True",
                        Conditions.DEPENDENCIES_READY));
    }

    @Test
    void aRestartedControllerWithAnEmptyCacheMakesNoSecondPodAndNoOrphan() throws Exception {
        Sandbox sandbox = sandbox("restart");
        sandbox.getSpec().setService(true);
        sandbox.getSpec().setVolumeClaimTemplates(List.of(vct("data", "1Gi")));
        client.resource(sandbox).create();
        awaitReady("restart", true, Conditions.DEPENDENCIES_READY);

        // A second controller that has not synced its caches yet (a restart, a new leader) reconciles twice,
        // racing the running one: every create meets "already exists" and finds its own object.
        for (int i = 0; i < 2; i++) {
            reconciler.reconcile(get("restart"), staleContext(List.of()));
        }
        String hash = NameHash.of("restart");
        assertThat(client.pods()
                        .inNamespace(NS)
                        .withLabel(Labels.SANDBOX_NAME_HASH, hash)
                        .list()
                        .getItems())
                .hasSize(1);
        assertThat(client.services()
                        .inNamespace(NS)
                        .withLabel(Labels.SANDBOX_NAME_HASH, hash)
                        .list()
                        .getItems())
                .hasSize(1);
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(NS)
                        .withLabel(Labels.SANDBOX_NAME_HASH, hash)
                        .list()
                        .getItems())
                .hasSize(1);

        // Suspended while a controller still has the old Pod cached: deleting it again is harmless, no Pod comes back.
        Pod cachedPod = client.pods().inNamespace(NS).withName("restart").get();
        setMode("restart", OperatingMode.SUSPENDED);
        await().atMost(WAIT)
                .untilAsserted(
                        () -> assertCondition(get("restart"), Conditions.SUSPENDED, "True", Conditions.POD_TERMINATED));
        reconciler.reconcile(get("restart"), staleContext(List.of(cachedPod)));
        reconciler.reconcile(get("restart"), staleContext(List.of()));
        assertThat(client.pods()
                        .inNamespace(NS)
                        .withLabel(Labels.SANDBOX_NAME_HASH, hash)
                        .list()
                        .getItems())
                .isEmpty();
        setMode("restart", OperatingMode.RUNNING);
        awaitReady("restart", true, Conditions.DEPENDENCIES_READY);

        // Expiry with Delete, carried out by the running controller and, at the same time, by one whose cache still
        // holds the Pod, Service and claim: deletions tolerate what the other already removed, and nothing is left.
        List<HasMetadata> stale = new ArrayList<>();
        stale.add(client.pods().inNamespace(NS).withName("restart").get());
        stale.add(client.services().inNamespace(NS).withName("restart").get());
        stale.add(client.persistentVolumeClaims()
                .inNamespace(NS)
                .withName("data-restart")
                .get());
        editSpec("restart", s -> {
            s.getSpec()
                    .setShutdownTime(Instant.now()
                            .plus(Duration.ofHours(1))
                            .truncatedTo(ChronoUnit.SECONDS)
                            .toString());
            s.getSpec().setShutdownPolicy(ShutdownPolicy.DELETE);
        });
        Sandbox live = await().atMost(WAIT)
                .until(() -> get("restart"), s -> s.getSpec().getShutdownPolicy() == ShutdownPolicy.DELETE);
        clock.advance(Duration.ofHours(1).plusSeconds(5));
        reconciler.reconcile(live, staleContext(stale));
        reconciler.reconcile(live, staleContext(stale));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(get("restart")).isNull();
            assertThat(client.pods()
                            .inNamespace(NS)
                            .withLabel(Labels.SANDBOX_NAME_HASH, hash)
                            .list()
                            .getItems())
                    .isEmpty();
            assertThat(client.services()
                            .inNamespace(NS)
                            .withLabel(Labels.SANDBOX_NAME_HASH, hash)
                            .list()
                            .getItems())
                    .isEmpty();
            assertThat(client.persistentVolumeClaims()
                            .inNamespace(NS)
                            .withLabel(Labels.SANDBOX_NAME_HASH, hash)
                            .list()
                            .getItems())
                    .isEmpty();
        });
    }

    // --- helpers

    /** A reconcile context whose caches hold exactly {@code cached}; its status writes go straight to the API server. */
    private Context<Sandbox> staleContext(List<HasMetadata> cached) {
        return ReconcileContexts.writingThrough(client, cached);
    }

    static Sandbox sandbox(String name) {
        Sandbox sandbox = new Sandbox();
        sandbox.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        SandboxSpec spec = new SandboxSpec();
        PodTemplate template = new PodTemplate();
        PodTemplateMetadata meta = new PodTemplateMetadata();
        meta.setLabels(Map.of("app", "agent", Labels.PREFIX + "user-set", "x"));
        template.setMetadata(meta);
        template.setSpec(new PodSpecBuilder()
                .withContainers(List.of(new ContainerBuilder()
                        .withName("agent")
                        .withImage("agent-sandbox-agent:test")
                        .build()))
                .build());
        spec.setPodTemplate(template);
        sandbox.setSpec(spec);
        return sandbox;
    }

    static VolumeClaimTemplate vct(String name, String size) {
        VolumeClaimTemplate vct = new VolumeClaimTemplate();
        VolumeClaimMetadata meta = new VolumeClaimMetadata();
        meta.setName(name);
        vct.setMetadata(meta);
        vct.setSpec(new PersistentVolumeClaimSpecBuilder()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity(size))
                .endResources()
                .build());
        return vct;
    }

    private Sandbox get(String name) {
        return client.resources(Sandbox.class).inNamespace(NS).withName(name).get();
    }

    private Pod awaitPod(String name) {
        return await().atMost(WAIT)
                .until(() -> client.pods().inNamespace(NS).withName(name).get(), p -> p != null);
    }

    private void setMode(String name, OperatingMode mode) {
        editSpec(name, s -> s.getSpec().setOperatingMode(mode));
    }

    private void editSpec(String name, java.util.function.Consumer<Sandbox> change) {
        editSandbox(name, change);
    }

    /** Edits like a user would: read, change, write; again when the controller wrote in between (409). */
    private void editSandbox(String name, java.util.function.Consumer<Sandbox> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                editOnce(name, change);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    private void editOnce(String name, java.util.function.Consumer<Sandbox> change) {
        client.resources(Sandbox.class).inNamespace(NS).withName(name).edit(s -> {
            if (s.getMetadata().getLabels() == null) {
                s.getMetadata().setLabels(new HashMap<>());
            } else {
                s.getMetadata().setLabels(new HashMap<>(s.getMetadata().getLabels()));
            }
            change.accept(s);
            return s;
        });
    }

    /** A metadata-only change: makes the controller look again, as any watch event would. */
    private void touch(String name) {
        editSandbox(name, s -> {
            Map<String, String> annotations = s.getMetadata().getAnnotations() == null
                    ? new HashMap<>()
                    : new HashMap<>(s.getMetadata().getAnnotations());
            annotations.put("test/touched", Instant.now().toString());
            s.getMetadata().setAnnotations(annotations);
        });
    }

    private void awaitReady(String name, boolean status, String reason) {
        await().atMost(WAIT)
                .untilAsserted(() -> assertCondition(get(name), Conditions.READY, status ? "True" : "False", reason));
    }

    static Optional<Condition> condition(Sandbox sandbox, String type) {
        return Conditions.find(
                sandbox.getStatus() == null ? null : sandbox.getStatus().getConditions(), type);
    }

    static void assertCondition(Sandbox sandbox, String type, String status, String reason) {
        assertThat(sandbox).isNotNull();
        assertThat(condition(sandbox, type))
                .as("condition %s of %s", type, sandbox.getMetadata().getName())
                .hasValueSatisfying(c -> {
                    assertThat(c.getStatus())
                            .as("%s status (%s)", type, c.getMessage())
                            .isEqualTo(status);
                    assertThat(c.getReason())
                            .as("%s reason (%s)", type, c.getMessage())
                            .isEqualTo(reason);
                    assertThat(c.getObservedGeneration())
                            .isEqualTo(sandbox.getMetadata().getGeneration());
                });
    }

    private static void assertOwnedBy(HasMetadata object, Sandbox sandbox) {
        assertThat(object).isNotNull();
        assertThat(Ownership.of(object, sandbox)).isEqualTo(Ownership.OWNED);
    }

    private List<String> eventReasons(String name) {
        return events(name).stream().map(Event::getReason).toList();
    }

    private List<String> warnings(String name) {
        return events(name).stream()
                .filter(e -> "Warning".equals(e.getType()))
                .map(Event::getReason)
                .toList();
    }

    private List<Event> events(String name) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())
                        && "Sandbox".equals(e.getInvolvedObject().getKind()))
                .toList();
    }
}
