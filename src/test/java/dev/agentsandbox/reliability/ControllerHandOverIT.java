package dev.agentsandbox.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.controller.LeaderElection;
import dev.agentsandbox.local.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two controller replicas, as two processes of the packaged application (each with its own {@code HOSTNAME}, as two
 * Pods have), against one API server: one holds the Lease and reconciles, the other waits. The leader is killed
 * with SIGKILL (no chance to release the Lease); the standby takes the Lease once it expires and reconciles what
 * was created meanwhile, and every Sandbox ends with exactly one Pod.
 */
class ControllerHandOverIT {

    static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    static final String NS = "handover";
    static final String LEASE_NS = "agent-sandbox-system";

    /** The replicas' logs, kept after the run for a failure's diagnosis. */
    static final Path LOGS = Path.of("target", "handover-it");

    private final List<Process> replicas = new ArrayList<>();
    private EmbeddedApiServer api;
    private KubernetesClient client;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : replicas) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void aStandbyTakesOverWhenTheLeaderIsKilledAndNothingIsDoneTwice() throws Exception {
        api = EmbeddedApiServer.start();
        client = api.client(NS);
        api.applyCrds(client, Path.of("target", "kubernetes"));
        for (String ns : List.of(NS, LEASE_NS)) {
            client.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .create();
        }
        Process a = replica("controller-a");
        Process b = replica("controller-b");

        String first = Awaitility.await("a replica takes the Lease")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(this::leaseHolder, h -> h != null);
        assertThat(first).isIn("controller-a", "controller-b");
        Process leader = first.equals("controller-a") ? a : b;
        String standby = first.equals("controller-a") ? "controller-b" : "controller-a";

        client.resource(sandbox("before-kill")).create();
        awaitOnePod("before-kill", Duration.ofSeconds(60));

        leader.destroyForcibly(); // SIGKILL: the Lease is not released, the standby must wait for it to expire
        assertThat(leader.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long killedAt = System.nanoTime();
        client.resource(sandbox("after-kill")).create();

        Awaitility.await("the standby takes the Lease")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(this::leaseHolder, standby::equals);
        long tookOverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        awaitOnePod("after-kill", Duration.ofSeconds(60));
        long reconciledMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        Thread.sleep(3000); // a late second writer would show up as a second Pod now

        assertThat(podsOf("before-kill")).as("pods of before-kill").hasSize(1);
        assertThat(podsOf("after-kill")).as("pods of after-kill").hasSize(1);
        Process survivor = first.equals("controller-a") ? b : a;
        assertThat(survivor.isAlive()).as("the standby keeps running").isTrue();
        assertThat(Files.readString(LOGS.resolve(standby + ".log"))).contains("leading: holding Lease");
        System.out.printf(
                "RELIABILITY controller-handover killed=%s standby=%s leaseTakenAfterMs=%d reconciledAfterMs=%d%n",
                first, standby, tookOverMillis, reconciledMillis);
    }

    private static Sandbox sandbox(String name) {
        Sandbox sandbox = ControllerFaultsIT.sandbox(name);
        sandbox.getMetadata().setNamespace(NS);
        return sandbox;
    }

    private Process replica(String identity) throws IOException {
        Files.createDirectories(LOGS);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1"));
        api.clientSystemProperties(NS).forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of(
                "-Dquarkus.kubernetes-client.api-server-url=" + api.url(),
                "-Dquarkus.kubernetes-client.token=" + api.token(),
                "-Dquarkus.kubernetes-client.trust-certs=true",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=0",
                "-Dsandbox.controller.lease-namespace=" + LEASE_NS,
                "-jar",
                JAR.toString(),
                "controller"));
        ProcessBuilder builder = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(LOGS.resolve(identity + ".log").toFile());
        builder.environment().putAll(Map.of("HOSTNAME", identity));
        Process p = builder.start();
        replicas.add(p);
        return p;
    }

    private String leaseHolder() {
        Lease lease = client.leases()
                .inNamespace(LEASE_NS)
                .withName(LeaderElection.LEASE_NAME)
                .get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    private void awaitOnePod(String sandbox, Duration atMost) {
        Awaitility.await("a Pod for " + sandbox)
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> !podsOf(sandbox).isEmpty());
    }

    private List<Pod> podsOf(String sandbox) {
        Sandbox s = client.resources(Sandbox.class)
                .inNamespace(NS)
                .withName(sandbox)
                .get();
        if (s == null) {
            return List.of();
        }
        String uid = s.getMetadata().getUid();
        return client.pods().inNamespace(NS).list().getItems().stream()
                .filter(p -> p.getMetadata().getOwnerReferences().stream().anyMatch(r -> uid.equals(r.getUid())))
                .toList();
    }
}
