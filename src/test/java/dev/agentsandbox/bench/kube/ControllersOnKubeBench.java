package dev.agentsandbox.bench.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentsandbox.local.controlplane.ApiAccess;
import dev.agentsandbox.local.controlplane.KubeBinaries;
import dev.agentsandbox.local.controlplane.KubeControlPlane;
import dev.agentsandbox.local.kubelet.KubeletSettings;
import dev.agentsandbox.local.kubelet.LocalNode;
import dev.agentsandbox.local.kubelet.ProcessKubelet;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * This platform's controller and the upstream agent-sandbox controller, side by side on one real control plane
 * (etcd, kube-apiserver, kube-controller-manager, kube-scheduler of {@code tools/kube/build.sh}) with one process
 * kubelet: rounds alternate ours, upstream, ours, upstream, ... and each round runs every scenario of
 * {@link Scenarios} in fresh namespaces with the controller started for that round. Run through
 * {@code bench/controllers/kube/run.sh}; figures in {@code target/bench-kube/results.md}. Documented in
 * docs/benchmarks.md, "Controllers on a real API server".
 */
@Tag("bench")
class ControllersOnKubeBench {

    static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    static final int POOL = Integer.getInteger("bench.pool", 300);
    static final int BURST = Integer.getInteger("bench.burst", 300);
    static final int WARM_POOL = Integer.getInteger("bench.warmPool", 50);
    static final int WARM_CLAIMS = Integer.getInteger("bench.warmClaims", 200);
    static final int COLD_CLAIMS = Integer.getInteger("bench.coldClaims", 20);
    /** Which scenarios run, by number: 1 and 3 share their pool, so either runs both. */
    static final List<String> SCENARIOS =
            List.of(System.getProperty("bench.scenarios", "1,2,3,4,5").split(","));
    /** Claims on a pool of one before the first scenario, so that the controller's code is compiled as in a long run. */
    static final int WARMUP_CLAIMS = Integer.getInteger("bench.warmupClaims", 20);

    static final List<String> ONLY =
            List.of(System.getProperty("bench.controllers", "ours,upstream").split(","));
    static final Path OUT = Path.of("target", "bench-kube").toAbsolutePath();

    private KubernetesClient client;
    private KubeControlPlane plane;
    private final BenchReport report = new BenchReport();
    private final List<Double> capacity = new ArrayList<>();

    @Test
    void bothControllersOnOneRealControlPlane() throws Exception {
        assumeTrue(
                KubeBinaries.configured().missing().isEmpty(),
                KubeBinaries.configured().missing().orElse(""));
        Files.createDirectories(OUT.resolve("logs"));
        plane = KubeControlPlane.start(KubeBinaries.configured(), OUT.resolve("plane"), false);
        client = benchClient(plane.access());
        Path kubeletDir = OUT.resolve("kubelet");
        try (ProcessKubelet kubelet = new ProcessKubelet(
                        client,
                        new KubeletSettings(
                                        kubeletDir,
                                        KubeletSettings.AGENT_IMAGE_MARKER,
                                        List.of(),
                                        Map.of(),
                                        "bench",
                                        Clock.systemUTC())
                                .onNodes(List.of(LocalNode.systemPool("bench"))))
                .start()) {
            List<BenchController> controllers = controllers();
            namespace(BenchController.SYSTEM);
            List<Path> kubeconfigs = new ArrayList<>();
            for (BenchController c : controllers) {
                kubeconfigs.add(identity(c));
            }
            for (int round = 1; round <= ROUNDS; round++) {
                for (int i = 0; i < controllers.size(); i++) {
                    runRound(controllers.get(i), kubeconfigs.get(i), round);
                }
            }
            report.header(
                    "write capacity (ConfigMap creates per second, median of every round)",
                    BenchReport.fmt(Stats.median(capacity)));
            report.write(OUT, Stats.median(capacity));
        } finally {
            client.close();
            plane.close();
        }
    }

    private List<BenchController> controllers() throws Exception {
        List<BenchController> out = new ArrayList<>();
        report.header("date", Instant.now().toString());
        report.header(
                "control plane", "Kubernetes " + KubeBinaries.VERSION + " (tools/kube/build.sh), etcd with fsync");
        report.header("rounds", ROUNDS + " per controller, alternating");
        report.header("scenarios", String.join(",", SCENARIOS));
        report.header("warm-up", WARMUP_CLAIMS + " claims one after another on a pool of 1, per round");
        report.header(
                "load average at the start",
                Files.readString(Path.of("/proc/loadavg")).trim());
        report.header("CPUs", Integer.toString(Runtime.getRuntime().availableProcessors()));
        Path manifests = Path.of("target", "kubernetes");
        Path dockerfile = Path.of("src", "main", "docker", "Dockerfile.jvm");
        if (ONLY.contains("ours")) {
            out.add(BenchController.ours(
                    "ours",
                    "agent-sandbox-controller",
                    client,
                    Path.of("target", "quarkus-app").toAbsolutePath(),
                    manifests,
                    dockerfile));
        }
        // an earlier build of this platform (a copy of its target/quarkus-app), measured in the same rounds to show
        // what a change did: -Dbench.baselineApp=DIR
        String baseline = System.getProperty("bench.baselineApp", "");
        if (!baseline.isBlank()) {
            out.add(BenchController.ours(
                    "ours-before",
                    "agent-sandbox-controller-before",
                    client,
                    Path.of(baseline).toAbsolutePath(),
                    manifests,
                    dockerfile));
        }
        if (ONLY.contains("upstream")) {
            String version = System.getProperty("bench.upstream.version", "v0.5.6");
            Path dir = Path.of(System.getProperty(
                    "bench.upstream.dir",
                    Path.of(System.getProperty("user.home"), ".cache", "agent-sandbox", "upstream", version)
                            .toString()));
            if (Files.isExecutable(dir.resolve("agent-sandbox-controller"))) {
                out.add(BenchController.upstream(client, dir, version));
            } else {
                System.out.println("BENCH-KUBE the upstream controller is not built (" + dir
                        + "): run bench/upstream-controller/build.sh; measuring ours alone");
            }
        }
        out.forEach(c -> report.header(c.name(), c.describe()));
        return out;
    }

    private void runRound(BenchController controller, Path kubeconfig, int round) throws Exception {
        System.out.printf("BENCH-KUBE round %d: %s%n", round, controller.name());
        applyCrds(controller.crds());
        if (SCENARIOS.contains("5")) {
            writeCapacity(controller, round);
        }
        Path log = OUT.resolve("logs").resolve(controller.name() + "-" + round + ".log");
        try (Supervised process = new Supervised(controller, kubeconfig, log)) {
            startUp(controller, round);
            RoundRunner runner = new RoundRunner(client, plane.auditLog(), controller, process, round, report);
            if (SCENARIOS.contains("1") || SCENARIOS.contains("3")) {
                runner.poolAndBurst(POOL, BURST);
            }
            if (SCENARIOS.contains("2")) {
                runner.sequential("2. warm claims one after another", "warm-", WARM_POOL, WARM_CLAIMS);
            }
            if (SCENARIOS.contains("4")) {
                runner.sequential("4. cold claims one after another (pool of 0)", "cold-", 0, COLD_CLAIMS);
            }
        }
        report.write(OUT, Stats.median(capacity));
    }

    /** Scenario 5, with no controller running. */
    private void writeCapacity(BenchController controller, int round) throws Exception {
        String cap = "cap-" + controller.name() + "-" + round;
        namespace(cap);
        Scenarios scenarios = new Scenarios(client);
        for (int concurrency : new int[] {16, 100}) {
            Map<String, Double> f = scenarios.configMapCreates(cap, 600, concurrency);
            if (concurrency == 16) {
                capacity.addAll(f.values());
            }
            report.add(new Measured(
                    "5. API write capacity (ConfigMaps, no controller running)",
                    controller.name(),
                    round,
                    f,
                    new AuditCounts(Map.of()),
                    0,
                    0,
                    0));
        }
        deleteNamespace(cap);
    }

    /**
     * Waits until the controller fills a pool of one and serves {@link #WARMUP_CLAIMS} claims on it, so that neither
     * its start-up nor its first compilation is counted in the first scenario.
     */
    private void startUp(BenchController controller, int round) throws Exception {
        String ns = "start-" + controller.name() + "-" + round;
        namespace(ns);
        long t0 = System.nanoTime();
        try (NamespaceWatch watch = new NamespaceWatch(client, ns)) {
            new Scenarios(client).sequentialClaims(ns, watch, 1, WARMUP_CLAIMS);
        }
        System.out.printf(
                "BENCH-KUBE %s started, filled a pool of 1 and served %d claims in %.1f s%n",
                controller.name(), WARMUP_CLAIMS, (System.nanoTime() - t0) / 1e9);
        deleteNamespace(ns);
    }

    private void applyCrds(List<CustomResourceDefinition> crds) {
        for (CustomResourceDefinition crd : crds) {
            crd.getMetadata().setResourceVersion(null);
            // one field manager for both sets: what one set has and the other lacks is removed on the switch
            client.resource(crd).forceConflicts().fieldManager("bench-crds").serverSideApply();
        }
        for (CustomResourceDefinition crd : crds) {
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd.getMetadata().getName())
                    .waitUntilCondition(
                            c -> c != null
                                    && c.getStatus() != null
                                    && c.getStatus().getConditions() != null
                                    && c.getStatus().getConditions().stream()
                                            .anyMatch(k ->
                                                    "Established".equals(k.getType()) && "True".equals(k.getStatus())),
                            60,
                            TimeUnit.SECONDS);
        }
    }

    /** A ServiceAccount bound to cluster-admin and a kubeconfig with its token, as its Pod would have. */
    private Path identity(BenchController c) throws Exception {
        client.serviceAccounts()
                .inNamespace(BenchController.SYSTEM)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName(c.serviceAccount())
                        .endMetadata()
                        .build())
                .serverSideApply();
        client.rbac()
                .clusterRoleBindings()
                .resource(new ClusterRoleBindingBuilder()
                        .withNewMetadata()
                        .withName("bench-" + c.serviceAccount())
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName(c.serviceAccount())
                        .withNamespace(BenchController.SYSTEM)
                        .endSubject()
                        .build())
                .serverSideApply();
        String token = client.serviceAccounts()
                .inNamespace(BenchController.SYSTEM)
                .withName(c.serviceAccount())
                .tokenRequest(new TokenRequestBuilder()
                        .withNewSpec()
                        .withExpirationSeconds(24 * 3600L)
                        .endSpec()
                        .build())
                .getStatus()
                .getToken();
        ApiAccess admin = plane.access();
        return new ApiAccess(admin.url(), token, admin.certificateAuthority())
                .writeKubeconfig(OUT.resolve(c.name() + ".kubeconfig"), BenchController.SYSTEM);
    }

    private void namespace(String name) {
        RoundRunner.namespace(client, name);
    }

    private void deleteNamespace(String name) throws InterruptedException {
        RoundRunner.deleteNamespace(client, name);
    }

    /** The benchmark's own client: the admin identity, enough connections for 100 requests in flight. */
    static KubernetesClient benchClient(ApiAccess access) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(access.url())
                .withOauthToken(access.token())
                .withCaCertFile(
                        access.certificateAuthority().map(Path::toString).orElseThrow())
                .withMaxConcurrentRequests(256)
                .withMaxConcurrentRequestsPerHost(256)
                .withRequestTimeout(60_000)
                .build();
        KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build();
        assertThat(c.getMasterUrl()).isNotNull();
        return c;
    }
}
