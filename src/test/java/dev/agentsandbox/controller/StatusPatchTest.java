package dev.agentsandbox.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.local.apiserver.EmbeddedApiServer;
import dev.agentsandbox.testing.ReconcileContexts;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The one status write of every reconciler: sent only when the status changed, and quiet about a deleted object. */
class StatusPatchTest {

    static EmbeddedApiServer server;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        server = EmbeddedApiServer.start();
        client = server.client("status-patch");
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void aChangedStatusIsWritten() {
        Pod pod = client.resource(pod("written")).create();

        assertThat(StatusPatch.writeIfChanged(context(), pod, pod.getStatus(), running()))
                .isTrue();

        assertThat(client.pods().withName("written").get().getStatus().getPhase())
                .isEqualTo("Running");
    }

    @Test
    void anUnchangedStatusIsNotSent() {
        Pod pod = client.resource(pod("unchanged")).create();

        assertThat(StatusPatch.writeIfChanged(context(), pod, running(), running()))
                .isFalse();

        assertThat(client.pods().withName("unchanged").get().getStatus()).isNotEqualTo(running());
    }

    @Test
    void theStatusOfAnObjectDeletedMeanwhileIsNotWrittenAndIsNoError() {
        // a namespace being deleted takes its claims and Sandboxes with it while their reconciles still run: their
        // status writes meet a 404, which is the end of the object's story, not a failure to retry and log
        Pod gone = client.resource(pod("gone")).create();
        client.resource(gone).delete();

        assertThat(StatusPatch.writeIfChanged(context(), gone, gone.getStatus(), running()))
                .isFalse();
        assertThat(StatusPatch.writeIfChangedLocked(context(), gone, gone.getStatus(), running()))
                .isFalse();
    }

    private static Pod pod(String name) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("main")
                .withImage("busybox")
                .endContainer()
                .endSpec()
                .build();
    }

    private static PodStatus running() {
        return new PodStatusBuilder().withPhase("Running").build();
    }

    private static Context<Pod> context() {
        return ReconcileContexts.writingThrough(client, List.of());
    }
}
