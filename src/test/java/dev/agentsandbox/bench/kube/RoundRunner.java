package dev.agentsandbox.bench.kube;

import dev.agentsandbox.testing.RealControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The controller scenarios of one round for one running controller, each in a fresh namespace watched from before
 * its first object, each measured from the outside: the audit log's requests of the controller's user, its CPU time
 * and peak memory between the scenario's start and end (plus a settling time for the writes that follow the last
 * Ready, such as a pool's refill), then the namespace deleted with the controller still running.
 */
final class RoundRunner {

    /** After a scenario's last Ready, the controller's writes go on (refills, status): they are counted this long. */
    static final long SETTLE_MILLIS = Long.getLong("bench.settleMillis", 3000);

    /** The pause after a namespace is deleted, so that the kubelet's clean-up does not slow the next scenario. */
    static final long PAUSE_MILLIS = Long.getLong("bench.pauseMillis", 10_000);

    private final KubernetesClient client;
    private final Path auditLog;
    private final BenchController controller;
    private final Supervised process;
    private final int round;
    private final BenchReport report;
    private final Scenarios scenarios;

    RoundRunner(
            KubernetesClient client,
            Path auditLog,
            BenchController controller,
            Supervised process,
            int round,
            BenchReport report) {
        this.client = client;
        this.auditLog = auditLog;
        this.controller = controller;
        this.process = process;
        this.round = round;
        this.report = report;
        this.scenarios = new Scenarios(client);
    }

    interface Scenario {
        Map<String, Double> run() throws Exception;
    }

    /** Scenarios 1 and 3: a pool from nothing to {@code poolSize} Ready, then {@code burst} claims on it at once. */
    void poolAndBurst(int poolSize, int burst) throws Exception {
        String ns = "pool-" + controller.name() + "-" + round;
        namespace(client, ns);
        try (NamespaceWatch watch = new NamespaceWatch(client, ns)) {
            boolean filled = measure(
                    "1. warm pool from 0 to " + poolSize + " Ready",
                    poolSize,
                    () -> scenarios.poolFill(ns, watch, poolSize));
            if (filled) {
                measure(
                        "3. burst of " + burst + " claims on a Ready pool of " + poolSize,
                        burst,
                        () -> scenarios.burst(ns, watch, burst));
            }
        }
        deleteNamespace(client, ns);
    }

    /** Scenarios 2 and 4: {@code claims} claims one after another on a pool of {@code poolSize}. */
    void sequential(String scenario, String prefix, int poolSize, int claims) throws Exception {
        String ns = prefix + controller.name() + "-" + round;
        namespace(client, ns);
        try (NamespaceWatch watch = new NamespaceWatch(client, ns)) {
            measure(
                    scenario + ": " + claims + " claims on a pool of " + poolSize,
                    claims,
                    () -> scenarios.sequentialClaims(ns, watch, poolSize, claims));
        }
        deleteNamespace(client, ns);
    }

    /**
     * Runs one scenario and records it; one that times out is recorded as such (its namespace is deleted as usual),
     * so that one stuck scenario does not lose the rest of the run. Returns whether it finished.
     */
    private boolean measure(String scenario, int units, Scenario body) throws Exception {
        AuditCounts.Mark from = AuditCounts.mark(auditLog);
        int restartsBefore = process.restarts();
        Map<String, Double> figures;
        boolean finished = true;
        ProcessUsage usage = new ProcessUsage(process::pid);
        try {
            figures = new LinkedHashMap<>(body.run());
            Thread.sleep(SETTLE_MILLIS);
        } catch (IllegalStateException | TimeoutException e) {
            System.out.printf("BENCH-KUBE %s %s: %s%n", controller.name(), scenario, e);
            figures = new LinkedHashMap<>(Map.of("timed out (5 min)", 1.0));
            finished = false;
        } finally {
            usage.close();
        }
        figures.put("controller restarts", (double) (process.restarts() - restartsBefore));
        figures.put("load average (1 min) at the end", loadAverage());
        AuditCounts.Mark to = AuditCounts.mark(auditLog);
        report.add(new Measured(
                scenario,
                controller.name(),
                round,
                figures,
                AuditCounts.between(auditLog, from, to, controller.user()),
                usage.cpuSeconds(),
                usage.peakRssMib(),
                units));
        return finished;
    }

    /** The machine's load average over the last minute: the benchmark shares the machine with other work. */
    private static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    /** Creates the namespace and waits for its default ServiceAccount, which the controllers' Pods need. */
    static void namespace(KubernetesClient client, String name) {
        RealControlPlane.namespace(client, name);
    }

    /**
     * Deletes the namespace and waits until it is gone, then for {@link #PAUSE_MILLIS}: the process kubelet stops
     * hundreds of processes after a large namespace and checks each gone Pod on its next periodic list, and a Pod
     * started meanwhile waited up to 18 s for its status in a trial run (the same for both controllers).
     */
    static void deleteNamespace(KubernetesClient client, String name) throws InterruptedException {
        client.namespaces().withName(name).delete();
        NamespaceWatch.await(
                "namespace " + name + " deleted",
                Duration.ofMinutes(5),
                250,
                () -> client.namespaces().withName(name).get() == null);
        Thread.sleep(PAUSE_MILLIS);
    }
}
