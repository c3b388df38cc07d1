package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.controller.warmpool.PoolTestProfile;
import dev.agentsandbox.testing.WithRealControlPlane;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@link IdleWakeScenarios} on the real control plane, with the router acting as its ServiceAccount under the
 * generated RBAC and ValidatingAdmissionPolicy; and that policy itself: of a Sandbox, the router may change the
 * last-activity annotation and wake an idle-suspended one, and nothing else.
 */
@QuarkusTest
@TestProfile(PoolTestProfile.class)
@WithRealControlPlane
class IdleWakeOnKubeIT extends IdleWakeScenarios {

    @Override
    String namespace() {
        return "test";
    }

    @Override
    boolean realControlPlane() {
        return true;
    }

    @Override
    Config routerIdentity() {
        try {
            RouterAccess.apply(client);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot apply the router's RBAC from target/kubernetes", e);
        }
        return RouterAccess.asRouter(client);
    }

    @Test
    void theAdmissionPolicyLetsTheRouterChangeOnlyTheActivityAndAnIdleSuspension() {
        readySandbox("guarded", "alice");
        try (KubernetesClient asRouter = new KubernetesClientBuilder()
                .withConfig(RouterAccess.asRouter(client))
                .build()) {
            // the API server loads a new policy within a second or so
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertRefused(
                            asRouter,
                            "guarded",
                            "{\"metadata\":{\"labels\":{\"agents.x-k8s.io/owner\":\"mallory\"}}}"));
            assertRefused(asRouter, "guarded", "{\"metadata\":{\"annotations\":{\"team\":\"b\"}}}");
            assertRefused(asRouter, "guarded", "{\"metadata\":{\"finalizers\":[\"example.com/hold\"]}}");
            assertRefused(
                    asRouter,
                    "guarded",
                    "{\"spec\":{\"podTemplate\":{\"spec\":{\"containers\":[{\"name\":\"agent\",\"image\":\"evil:1\"}]}}}}");
            assertRefused(asRouter, "guarded", "{\"spec\":{\"operatingMode\":\"Suspended\"}}");
            assertRefused(asRouter, "guarded", "{\"spec\":{\"shutdownTime\":\"2030-01-01T00:00:00Z\"}}");

            patch(
                    asRouter,
                    "guarded",
                    "{\"metadata\":{\"annotations\":{\"" + IdleAnnotations.LAST_ACTIVITY
                            + "\":\"2026-12-05T06:01:02.345Z\"}}}");
            assertThat(sandbox("guarded").getMetadata().getAnnotations())
                    .containsEntry(IdleAnnotations.LAST_ACTIVITY, "2026-12-05T06:01:02.345Z");

            // a user's suspension is not the router's to undo; an idle one is
            asController("guarded", "{\"spec\":{\"operatingMode\":\"Suspended\"}}");
            assertRefused(asRouter, "guarded", "{\"spec\":{\"operatingMode\":\"Running\"}}");
            suspendForIdle("guarded");
            assertRefused(
                    asRouter,
                    "guarded",
                    "{\"metadata\":{\"annotations\":{\"" + IdleAnnotations.SUSPENDED_BY + "\":null}},"
                            + "\"spec\":{\"operatingMode\":\"Running\"}}");
            patch(asRouter, "guarded", "{\"spec\":{\"operatingMode\":\"Running\"}}");
            assertThat(sandbox("guarded").getSpec().getOperatingMode()).isEqualTo(OperatingMode.RUNNING);
        }
        // the policy binds the router only: the controller (here the test's client) edits as before
        asController("guarded", "{\"metadata\":{\"labels\":{\"team\":\"a\"}}}");
        assertThat(sandbox("guarded").getMetadata().getLabels()).containsEntry("team", "a");
    }

    /**
     * A namespace's own router (the kata-aks example's, given patch by deploy/kata-aks/idle-sleep/router-wake.yaml) is
     * narrowed by the same policy: it may publish activity, and may not relabel a Sandbox.
     */
    @Test
    void theExamplesOwnRouterIsNarrowedTheSameWay() throws IOException {
        readySandbox("example-guarded", "alice");
        RouterAccess.apply(client);
        RouterAccess.applyExampleWakeRole(client, namespace());
        try (KubernetesClient asExampleRouter = new KubernetesClientBuilder()
                .withConfig(RouterAccess.asRouter(client, namespace()))
                .build()) {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertRefused(
                            asExampleRouter,
                            "example-guarded",
                            "{\"metadata\":{\"labels\":{\"agents.x-k8s.io/owner\":\"mallory\"}}}"));
            assertRefused(asExampleRouter, "example-guarded", "{\"spec\":{\"operatingMode\":\"Suspended\"}}");
            patch(
                    asExampleRouter,
                    "example-guarded",
                    "{\"metadata\":{\"annotations\":{\"" + IdleAnnotations.LAST_ACTIVITY
                            + "\":\"2026-12-05T07:01:02.345Z\"}}}");
        }
        assertThat(sandbox("example-guarded").getMetadata().getAnnotations())
                .containsEntry(IdleAnnotations.LAST_ACTIVITY, "2026-12-05T07:01:02.345Z");
    }

    private void assertRefused(KubernetesClient asRouter, String name, String mergePatch) {
        assertThatThrownBy(() -> patch(asRouter, name, mergePatch))
                .as(mergePatch)
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("sandbox-router-writes", "the router may");
                });
    }

    /**
     * As the router patches (router.SandboxWrites): on the Sandbox at hand, so the request is the PATCH alone. By name
     * the client would read the Sandbox first, which the example's router may not do with the idle-sleep overlay's
     * Role alone (patch only).
     */
    private void patch(KubernetesClient asRouter, String name, String mergePatch) {
        asRouter.resources(Sandbox.class)
                .inNamespace(namespace())
                .resource(sandbox(name))
                .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
    }
}
