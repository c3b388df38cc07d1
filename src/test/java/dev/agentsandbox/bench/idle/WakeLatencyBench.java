package dev.agentsandbox.bench.idle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.bench.kube.Stats;
import dev.agentsandbox.local.LocalModeProcess;
import dev.agentsandbox.testing.ExampleClaims;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The wake latency of an idle-suspended sandbox in local mode ({@code java -jar target/quarkus-app/quarkus-run.jar
 * local --serve} with the idle-sleep variant of the kata-aks example): from a chat sent to the router to the first
 * byte of its answer, for a sandbox whose Pod is gone, against the same chat to the same sandbox awake, in
 * alternation. Each cycle: one chat to the awake sandbox; the controller's idle suspension written as the controller
 * writes it (one update: {@code spec.operatingMode: Suspended} and {@code agents.x-k8s.io/suspended-by: idle}); wait
 * until its Pod is gone and its {@code Suspended} condition is {@code True}; one chat, which the router holds while it
 * wakes the sandbox; wait until the controller has taken the idle mark off and the claim is Ready again. Run through
 * {@code bench/idle/run.sh}; figures in {@code target/bench-idle/wake.md}, documented in docs/benchmarks.md, "Idle
 * sleep".
 */
@Tag("bench")
class WakeLatencyBench {

    static final String NS = "sandbox-agent-demo";
    static final Path OUT = Path.of("target", "bench-idle");
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final int WAKES = Integer.getInteger("bench.wakes", 20);

    @Test
    void wakeLatencyAgainstAnAwakeChat() throws Exception {
        assumeTrue(
                Files.isRegularFile(LocalModeProcess.JAR),
                "run ./mvnw package first: " + LocalModeProcess.JAR + " is missing");
        Files.createDirectories(OUT);
        Path dir = Files.createTempDirectory("bench-idle-wake");
        String load = RouterReport.loadAverage();
        try (LocalModeProcess local = LocalModeProcess.start(
                        dir,
                        Duration.ofSeconds(180),
                        Duration.ofSeconds(240),
                        Map.of(
                                "SANDBOX_LOCAL_EXAMPLE_DIR",
                                Path.of("deploy/kata-aks/idle-sleep")
                                        .toAbsolutePath()
                                        .toString()));
                KubernetesClient client = new KubernetesClientBuilder()
                        .withConfig(Config.fromKubeconfig(Files.readString(local.kubeconfig())))
                        .build()) {
            Chat chat = new Chat(local.lines.get("ROUTER_URL"), local.lines.get("ROUTER_TOKEN_ALICE"));
            // the claim's own policy: an hour, so that only this benchmark suspends it, and the controller takes the
            // idle mark off after each wake
            client.resource(claim("alice-bench", "1h")).create();
            String sandbox = await().atMost(Duration.ofSeconds(180))
                    .until(
                            () -> claimOf(client),
                            c -> c != null
                                    && c.getStatus() != null
                                    && Conditions.isTrue(c.getStatus().getConditions(), Conditions.READY))
                    .getStatus()
                    .getSandbox()
                    .getName();
            for (int i = 0; i < 5; i++) {
                chat.send(sandbox, "warm-up " + i); // the agent's and the router's JIT, not measured
            }
            List<Double> awake = new ArrayList<>();
            List<Double> woken = new ArrayList<>();
            List<double[]> stages = new ArrayList<>();
            StringBuilder raw = new StringBuilder("cycle\tawake_ttfb_ms\twake_ttfb_ms\twake_total_ms\t"
                    + "sandbox_running_ms\tpod_created_ms\tpod_ready_ms\tsandbox_ready_ms\tpod_before\tpod_after\n");
            for (int i = 1; i <= WAKES; i++) {
                double awakeMs = chat.send(sandbox, "awake " + i).firstByteMillis();
                String podBefore = podUid(client, sandbox);
                suspendAsTheControllerDoes(client, sandbox);
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> asleep(client, sandbox));
                Thread.sleep(200); // the router's informer has seen the suspension long before; a margin only
                Chat.Timing wake;
                double[] stage;
                try (WakeTimeline timeline = new WakeTimeline(client, NS, sandbox)) {
                    wake = chat.send(sandbox, "after sleep " + i);
                    stage = new double[] {
                        WakeTimeline.since(wake.startNanos(), timeline.running),
                        WakeTimeline.since(wake.startNanos(), timeline.podCreated),
                        WakeTimeline.since(wake.startNanos(), timeline.podReady),
                        WakeTimeline.since(wake.startNanos(), timeline.sandboxReady)
                    };
                }
                stages.add(stage);
                String podAfter = podUid(client, sandbox);
                assertThat(podAfter)
                        .as("a new Pod after wake %d", i)
                        .isNotNull()
                        .isNotEqualTo(podBefore);
                awake.add(awakeMs);
                woken.add(wake.firstByteMillis());
                raw.append(String.format(
                        Locale.ROOT,
                        "%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t%s%n",
                        i,
                        awakeMs,
                        wake.firstByteMillis(),
                        wake.totalMillis(),
                        stage[0],
                        stage[1],
                        stage[2],
                        stage[3],
                        podBefore,
                        podAfter));
                System.out.printf(
                        Locale.ROOT,
                        "BENCH wake %d: awake %.1f ms, wake %.1f ms%n",
                        i,
                        awakeMs,
                        wake.firstByteMillis());
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> unmarkedAndReady(client, sandbox));
            }
            Files.writeString(OUT.resolve("wake.tsv"), raw);
            String summary = summary(awake, woken, stages, load, RouterReport.loadAverage());
            Files.writeString(OUT.resolve("wake.md"), summary);
            System.out.println(summary);
        }
    }

    /** The controller's idle suspension (docs/idle.md): one update under the resourceVersion it read. */
    static void suspendAsTheControllerDoes(KubernetesClient client, String sandbox) {
        for (int attempt = 0; ; attempt++) {
            Sandbox s = client.resources(Sandbox.class)
                    .inNamespace(NS)
                    .withName(sandbox)
                    .get();
            s.getSpec().setOperatingMode(OperatingMode.SUSPENDED);
            Map<String, String> annotations = new HashMap<>(s.getMetadata().getAnnotations());
            annotations.put(IdleAnnotations.SUSPENDED_BY, IdleAnnotations.SUSPENDED_BY_IDLE);
            s.getMetadata().setAnnotations(annotations);
            try {
                client.resource(s).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 5) {
                    throw e;
                }
            }
        }
    }

    static boolean asleep(KubernetesClient client, String sandbox) {
        Sandbox s = client.resources(Sandbox.class)
                .inNamespace(NS)
                .withName(sandbox)
                .get();
        return podUid(client, sandbox) == null
                && s.getStatus() != null
                && Conditions.isTrue(s.getStatus().getConditions(), Conditions.SUSPENDED);
    }

    static boolean unmarkedAndReady(KubernetesClient client, String sandbox) {
        Sandbox s = client.resources(Sandbox.class)
                .inNamespace(NS)
                .withName(sandbox)
                .get();
        SandboxClaim claim = claimOf(client);
        return !s.getMetadata().getAnnotations().containsKey(IdleAnnotations.SUSPENDED_BY)
                && claim.getStatus() != null
                && Conditions.isTrue(claim.getStatus().getConditions(), Conditions.READY);
    }

    static String podUid(KubernetesClient client, String sandbox) {
        Pod pod = client.pods().inNamespace(NS).withName(sandbox).get();
        return pod == null || pod.getMetadata().getDeletionTimestamp() != null
                ? null
                : pod.getMetadata().getUid();
    }

    static SandboxClaim claimOf(KubernetesClient client) {
        return client.resources(SandboxClaim.class)
                .inNamespace(NS)
                .withName("alice-bench")
                .get();
    }

    static SandboxClaim claim(String name, String idleTimeout) {
        return ExampleClaims.withIdleTimeout(name, "alice", idleTimeout);
    }

    static String summary(
            List<Double> awake, List<Double> woken, List<double[]> stages, String loadBefore, String loadAfter) {
        return String.format(
                        Locale.ROOT,
                        "## Wake latency in local mode%n%n"
                                + "Load average before: %s; after: %s. %d cycles, each an awake chat then a wake.%n%n"
                                + "| chat | p50 ms | p95 ms | min ms | max ms |%n|---|---|---|---|---|%n"
                                + "| awake sandbox | %.1f | %.1f | %.1f | %.1f |%n"
                                + "| idle-suspended sandbox (Pod gone): wake, then the answer | %.1f | %.1f | %.1f | %.1f |%n",
                        loadBefore,
                        loadAfter,
                        woken.size(),
                        Stats.median(awake),
                        Stats.percentile(awake, 95),
                        min(awake),
                        max(awake),
                        Stats.median(woken),
                        Stats.percentile(woken, 95),
                        min(woken),
                        max(woken))
                + String.format(
                        Locale.ROOT,
                        "%nWhere a wake's time goes (medians, ms after the request was sent, as a watch of the "
                                + "benchmark saw it): the Sandbox told to run %.1f, its new Pod created %.1f, the Pod "
                                + "Ready %.1f, the Sandbox Ready %.1f, the answer's first byte %.1f.%n",
                        stage(stages, 0),
                        stage(stages, 1),
                        stage(stages, 2),
                        stage(stages, 3),
                        Stats.median(woken));
    }

    static double stage(List<double[]> stages, int index) {
        return Stats.median(
                stages.stream().map(s -> s[index]).filter(v -> v >= 0).toList());
    }

    static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** alice's chat through the router, timed to the first byte of the answer's body and to its end. */
    record Chat(String routerUrl, String token) {

        record Timing(long startNanos, double firstByteMillis, double totalMillis) {}

        Timing send(String sandbox, String prompt) throws Exception {
            HttpRequest request = HttpRequest.newBuilder(URI.create(routerUrl + "/chat"))
                    .timeout(Duration.ofSeconds(120))
                    .header("Authorization", "Bearer " + token)
                    .header("X-Sandbox-ID", sandbox)
                    .header("X-Sandbox-Namespace", NS)
                    .header("X-Sandbox-Port", "8080")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + prompt + "\"}"))
                    .build();
            long t0 = System.nanoTime();
            HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                int first = body.read();
                long firstByte = System.nanoTime();
                byte[] rest = body.readAllBytes();
                long end = System.nanoTime();
                assertThat(response.statusCode())
                        .as("chat %s: %s", prompt, first < 0 ? "" : (char) first + new String(rest))
                        .isEqualTo(200);
                return new Timing(t0, (firstByte - t0) / 1e6, (end - t0) / 1e6);
            }
        }
    }
}
