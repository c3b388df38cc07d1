package dev.agentsandbox.local.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentsandbox.local.apiserver.ApiFault;
import dev.agentsandbox.local.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process kubelet runs Pods as processes with their environment, honours restartPolicy and reports status. */
class ProcessKubeletTest {

    static EmbeddedApiServer server;
    static KubernetesClient client;
    static ProcessKubelet kubelet;

    @TempDir
    static Path data;

    @BeforeAll
    static void start() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "the process kubelet needs /bin/sh");
        server = EmbeddedApiServer.start();
        client = server.client("kubelet");
        createGreetSecret(client);
        kubelet = new ProcessKubelet(
                        client,
                        new KubeletSettings(
                                data,
                                KubeletSettings.AGENT_IMAGE_MARKER,
                                List.of(),
                                Map.of(),
                                "local",
                                Clock.systemUTC()))
                .start();
    }

    /** The Secret every Pod of {@link #pod} reads its greeting from. */
    static void createGreetSecret(KubernetesClient api) {
        api.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("greet")
                        .endMetadata()
                        .addToStringData("greeting", "hello")
                        .build())
                .create();
    }

    @AfterAll
    static void stop() {
        if (kubelet != null) {
            kubelet.close();
            client.close();
            server.close();
        }
    }

    static Pod pod(String name, String restartPolicy, String script) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy(restartPolicy)
                .addNewContainer()
                .withName("main")
                .withImage("busybox")
                .withCommand("sh", "-c", script)
                .addNewEnv()
                .withName("GREETING")
                .withNewValueFrom()
                .withNewSecretKeyRef("greeting", "greet", false)
                .endValueFrom()
                .endEnv()
                .addNewEnv()
                .withName("ME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("metadata.name")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .addNewEnv()
                .withName("IP")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("status.podIP")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .addNewEnv()
                .withName("MSG")
                .withValue("$(GREETING) from $(ME)")
                .endEnv()
                .endContainer()
                .endSpec()
                .build();
    }

    /** The Pod with one variable only, {@code var}, from key {@code k} of Secret {@code secret}. */
    static Pod withSecretKey(Pod pod, String var, String secret) {
        return new PodBuilder(pod)
                .editSpec()
                .editFirstContainer()
                .withEnv(new io.fabric8.kubernetes.api.model.EnvVarBuilder()
                        .withName(var)
                        .withNewValueFrom()
                        .withNewSecretKeyRef("k", secret, false)
                        .endValueFrom()
                        .build())
                .endContainer()
                .endSpec()
                .build();
    }

    static Pod get(String name) {
        return client.pods().withName(name).get();
    }

    static String phase(String name) {
        Pod p = get(name);
        return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    static List<io.fabric8.kubernetes.api.model.PodCondition> conditions(String name) {
        Pod p = get(name);
        return p == null || p.getStatus() == null ? List.of() : p.getStatus().getConditions();
    }

    @Test
    void runsTheCommandWithItsEnvironmentAndEndsByExitCode() throws Exception {
        Path out = data.resolve("env.txt");
        client.resource(pod("says-hello", "Never", "echo \"$MSG at $IP\" > " + out + "; exit 3"))
                .create();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(phase("says-hello")));
        Pod p = get("says-hello");
        assertThat(p.getStatus().getPodIP()).startsWith("127.").isNotEqualTo("127.0.0.1");
        assertThat(p.getStatus()
                        .getContainerStatuses()
                        .get(0)
                        .getState()
                        .getTerminated()
                        .getExitCode())
                .isEqualTo(3);
        assertThat(Files.readString(out).trim())
                .isEqualTo("hello from says-hello at " + p.getStatus().getPodIP());
    }

    @Test
    void aPodSlowToStopDoesNotHoldUpTheNextOne() throws Exception {
        Path pidFile = data.resolve("stubborn.pid");
        // ignores SIGTERM: its stop lasts the whole grace period before the kill
        client.resource(pod(
                        "stubborn", "Never", "trap '' TERM; echo $$ > " + pidFile + "; while true; do sleep 1; done"))
                .create();
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> "Running".equals(phase("stubborn")) && Files.exists(pidFile));
        long pid = Long.parseLong(Files.readString(pidFile).trim());

        client.pods().withName("stubborn").delete();
        client.resource(pod("after-stubborn", "Never", "sleep 600")).create();

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "Running".equals(phase("after-stubborn")));
        // the new Pod ran while the stop of the old one was still under way, not after it
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isPresent();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .isEmpty());
        client.pods().withName("after-stubborn").delete();
    }

    @Test
    void restartsOnFailureWithBackoffUntilItSucceeds() {
        Path marker = data.resolve("second-run");
        client.resource(pod(
                        "flaky",
                        "OnFailure",
                        "if [ -f " + marker + " ]; then exit 0; fi; touch " + marker + "; exit 1"))
                .create();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(phase("flaky")));
        assertThat(get("flaky").getStatus().getContainerStatuses().get(0).getRestartCount())
                .isEqualTo(1);
    }

    @Test
    void aStatusTheApiRefusesIsWrittenAgain() {
        // the first three status writes of this Pod fail: without a retry it would keep a stale phase for good.
        // (A 409: the client retries 5xx answers by itself; the kubelet must retry what reaches it.)
        ApiFault fault = server.faults()
                .inject(ApiFault.on("PATCH", "/api/v1/namespaces/kubelet/pods/refused-status/status")
                        .respond(409)
                        .times(3));
        try {
            client.resource(pod("refused-status", "Never", "exit 0")).create();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(phase("refused-status")));
            assertThat(server.faults().injectedCount()).isGreaterThanOrEqualTo(3);
        } finally {
            server.faults().remove(fault);
        }
    }

    @Test
    void aPodTheWatchNeverReportsIsStartedByThePeriodicList(@TempDir Path ownData) throws Exception {
        // a kubelet of its own whose Pod watch fails every time: only its periodic list can find the Pod
        try (EmbeddedApiServer ownServer = EmbeddedApiServer.start();
                KubernetesClient ownClient = ownServer.client("kubelet")) {
            createGreetSecret(ownClient);
            ownServer
                    .faults()
                    .inject(ApiFault.on("GET", "/api/v1/pods\\?.*watch=true.*")
                            .respond(500)
                            .always());
            try (ProcessKubelet own = new ProcessKubelet(
                            ownClient,
                            new KubeletSettings(
                                    ownData,
                                    KubeletSettings.AGENT_IMAGE_MARKER,
                                    List.of(),
                                    Map.of(),
                                    "local",
                                    Clock.systemUTC()))
                    .start()) {
                ownClient.resource(pod("unwatched", "Never", "exit 0")).create();
                Awaitility.await()
                        .atMost(Duration.ofSeconds(ProcessKubelet.RELIST_SECONDS * 4L))
                        .until(() -> {
                            Pod p = ownClient.pods().withName("unwatched").get();
                            return p.getStatus() != null
                                    && "Succeeded".equals(p.getStatus().getPhase());
                        });
                assertThat(ownServer.faults().injectedCount()).isPositive();

                // and a Pod deleted without the watch telling: its process is stopped all the same
                ownClient
                        .resource(pod("unwatched-sleeper", "Never", "sleep 600"))
                        .create();
                Awaitility.await()
                        .atMost(Duration.ofSeconds(ProcessKubelet.RELIST_SECONDS * 4L))
                        .until(() -> {
                            Pod p = ownClient
                                    .pods()
                                    .withName("unwatched-sleeper")
                                    .get();
                            return p.getStatus() != null
                                    && "Running".equals(p.getStatus().getPhase());
                        });
                long pid = Long.parseLong(ownClient
                        .pods()
                        .withName("unwatched-sleeper")
                        .get()
                        .getStatus()
                        .getContainerStatuses()
                        .get(0)
                        .getContainerID()
                        .replace("local://", ""));
                ownClient.pods().withName("unwatched-sleeper").delete();
                Awaitility.await()
                        .atMost(Duration.ofSeconds(ProcessKubelet.RELIST_SECONDS * 4L))
                        .until(() ->
                                ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
            }
        }
    }

    @Test
    void anImageWithoutCommandStaysPendingSayingWhy() {
        client.resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("nginx")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("web")
                        .withImage("nginx:1.27")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !conditions("nginx")
                .isEmpty());
        Pod p = get("nginx");
        assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getMessage()).contains("local mode cannot run image nginx:1.27");
        });
    }

    @Test
    void aMissingSecretKeepsThePodPendingWithTheReason() {
        client.resource(withSecretKey(pod("no-secret", "Never", "true"), "X", "absent"))
                .create();
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(conditions("no-secret"))
                .anySatisfy(c -> assertThat(c.getMessage()).contains("secret \"absent\" not found")));
        Pod p = get("no-secret");
        assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(p.getStatus().getContainerStatuses().get(0).getState().getWaiting())
                .satisfies(w -> assertThat(w.getReason()).isEqualTo("CreateContainerConfigError"));
    }

    @Test
    void aPodWaitsForItsSecretAndStartsOnceItIsCreated() throws Exception {
        // as a kubelet retries CreateContainerConfigError: local mode writes the model Secret while the warm pool's
        // first Pods may already be on their way
        Path out = data.resolve("late.txt");
        client.resource(withSecretKey(pod("late-secret", "Never", "echo \"$LATE\" > " + out), "LATE", "created-later"))
                .create();
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(conditions("late-secret"))
                .anySatisfy(c -> assertThat(c.getMessage()).contains("secret \"created-later\" not found")));
        client.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("created-later")
                        .endMetadata()
                        .addToStringData("k", "arrived")
                        .build())
                .create();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(phase("late-secret")));
        assertThat(Files.readString(out).trim()).isEqualTo("arrived");
    }
}
