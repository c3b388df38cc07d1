package dev.agentsandbox.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.local.controlplane.KubeControlPlane;
import dev.agentsandbox.local.model.DemoModel;
import dev.agentsandbox.owner.token.OwnerTokens;
import dev.agentsandbox.testing.RealControlPlane;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The two JVM images, built here by {@code tools/images/build.sh} on a base made from Debian's packages, and run the
 * way the manifests run them (settings read from the generated Deployments and the kata-aks template): the agent
 * answers as its owner through the offline demo model, the router and the controller run as their ServiceAccounts
 * against the real control plane (a TokenRequest token where a Pod's projected token would be), the router routes
 * alice to her sandbox, and each stops within its grace period on SIGTERM, its resident memory under its limit.
 * Skipped with a message where no container engine can run.
 */
@ExtendWith(RealControlPlane.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImagesIT {

    static final String PLATFORM_IMAGE = "agent-sandbox:it";
    static final String AGENT_IMAGE = "agent-sandbox-agent:it";
    static final String SYSTEM = "agent-sandbox-system";
    static final String NS = "images-it";
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static boolean engineStartedHere;
    static KubeControlPlane plane;
    static KubernetesClient client;
    static DemoModel model;
    static final Map<String, ManifestContainer> running = new LinkedHashMap<>();
    static int agentPort;
    static Path work;

    @BeforeAll
    static void buildTheImages() throws Exception {
        assumeTrue(
                Docker.available(),
                "no container engine: the image tests are skipped (install docker.io and debootstrap; .ci/run does)");
        Docker.Result engine = Docker.run(Map.of(), 60, "tools/images/engine.sh", "start");
        assertThat(engine.ok()).as(engine.out()).isTrue();
        engineStartedHere = engine.out().endsWith("started");
        Instant t0 = Instant.now();
        Docker.Result built = Docker.run(
                Map.of("PLATFORM_IMAGE", PLATFORM_IMAGE, "AGENT_IMAGE", AGENT_IMAGE, "KEEP_ENGINE", "1"),
                900,
                "tools/images/build.sh");
        assertThat(built.ok()).as(built.out()).isTrue();
        System.out.printf(
                "IMAGES built in %d s: %s %s bytes, %s %s bytes%n",
                Duration.between(t0, Instant.now()).toSeconds(),
                PLATFORM_IMAGE,
                Docker.docker("image", "inspect", "--format", "{{.Size}}", PLATFORM_IMAGE)
                        .out(),
                AGENT_IMAGE,
                Docker.docker("image", "inspect", "--format", "{{.Size}}", AGENT_IMAGE)
                        .out());
        plane = RealControlPlane.get();
        client = plane.client("default");
        model = DemoModel.start(Clock.systemUTC());
        work = Files.createTempDirectory("images-it");
    }

    @AfterAll
    static void removeWhatWasStarted() {
        for (String name : running.keySet()) {
            Docker.docker("rm", "-f", name);
        }
        // the base stays cached; the images are built anew by every run (each vfs layer is a full copy: gigabytes)
        Docker.docker("rmi", PLATFORM_IMAGE, AGENT_IMAGE);
        if (model != null) {
            model.close();
        }
        if (client != null) {
            // the Sandbox's Pod would otherwise wait for a node in the shared control plane
            client.namespaces().withName(NS).delete();
            client.close();
        }
        if (engineStartedHere) {
            Docker.run(Map.of(), 60, "tools/images/engine.sh", "stop");
        }
    }

    @Test
    @Order(1)
    void theAgentImageAnswersAsItsOwner() throws Exception {
        ManifestContainer agent = ManifestContainer.of(templatePodSpec());
        agentPort = freePort();
        Map<String, String> env = agent.environment(e -> model.settings().get(e.getName()));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(agentPort));
        Instant t0 = start("it-agent", AGENT_IMAGE, agent, env, List.of());
        awaitProbe("it-agent", agent, agentPort, 8080);
        System.out.printf(
                "IMAGES agent ready in %d ms%n",
                Duration.between(t0, Instant.now()).toMillis());

        HttpResponse<String> reply = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agentPort + "/chat"))
                        .header("X-Owner", "alice")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Who are you?\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        assertThat(reply.body()).contains("alice's agent");
        assertResidentMemoryUnderTheLimit("it-agent", agent);
    }

    @Test
    @Order(2)
    void theRouterImageRoutesAliceToHerSandboxAsItsServiceAccount() throws Exception {
        applyEverythingButTheDeployments();
        RealControlPlane.namespace(client, NS);
        client.resource(sandbox()).create();
        client.resources(Sandbox.class)
                .inNamespace(NS)
                .withName("alice-box")
                .subresource("status")
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        """
                        {"status":{"podIPs":["127.0.0.1"],"conditions":[{"type":"Ready","status":"True",
                        "reason":"DependenciesReady","message":"the agent container","observedGeneration":1,
                        "lastTransitionTime":"%s"}]}}"""
                                .formatted(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        String alice = OwnerTokens.issue(client, SYSTEM, OwnerTokens.DEFAULT_SECRET_NAME, "alice");

        ManifestContainer router = ManifestContainer.of(deployment("sandbox-router-deployment"));
        int port = freePort();
        int management = freePort();
        Map<String, String> env = router.environment(e -> resolve(e, Map.of("token", "images-it-shared-token")));
        env.put("SANDBOX_ROUTER_OWNER_TOKENS_ENABLED", "true");
        env.put("SANDBOX_ROUTER_HOST", "127.0.0.1");
        env.put("SANDBOX_ROUTER_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(management));
        Instant t0 = start("it-router", PLATFORM_IMAGE, router, env, serviceAccount("sandbox-router", router, env));
        awaitProbe("it-router", router, port, 8080);
        System.out.printf(
                "IMAGES router ready in %d ms%n",
                Duration.between(t0, Instant.now()).toMillis());

        HttpResponse<String> reply = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> HTTP.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/chat"))
                                        .header("Authorization", "Bearer " + alice)
                                        .header("X-Sandbox-ID", "alice-box")
                                        .header("X-Sandbox-Namespace", NS)
                                        .header("X-Sandbox-Port", Integer.toString(agentPort))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"hello\"}"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()),
                        r -> r.statusCode() != 503);
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        assertThat(reply.body()).contains("alice's agent");
        assertResidentMemoryUnderTheLimit("it-router", router);
    }

    @Test
    @Order(3)
    void theControllerImageBecomesReadyAsItsServiceAccount() throws Exception {
        ManifestContainer controller = ManifestContainer.of(deployment("agent-sandbox-controller"));
        int management = freePort();
        Map<String, String> env = controller.environment(e -> resolve(e, Map.of()));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(management));
        Instant t0 = start(
                "it-controller",
                PLATFORM_IMAGE,
                controller,
                env,
                serviceAccount("agent-sandbox-controller", controller, env));
        awaitProbe("it-controller", controller, management, 8081);
        // the entrypoint gave the controller role its JVM flags file (C1 only, a 96 MiB young generation)
        assertThat(Docker.docker("exec", "it-controller", "cat", "/proc/1/cmdline")
                        .out()
                        .replace('\0', ' '))
                .contains("@/deployments/controller.jvm-options");
        assertThat(Docker.docker("exec", "it-controller", "cat", "/deployments/controller.jvm-options")
                        .out())
                .contains("-XX:TieredStopAtLevel=1", "-Xmn96m");
        System.out.printf(
                "IMAGES controller ready in %d ms%n",
                Duration.between(t0, Instant.now()).toMillis());
        // it leads, and reconciles as its ServiceAccount: the sandbox gets the Pod the controller creates
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.pods().inNamespace(NS).withName("alice-box").get() != null);
        assertResidentMemoryUnderTheLimit("it-controller", controller);
    }

    @Test
    @Order(4)
    void eachStopsWithinItsGracePeriodOnSigterm() {
        for (Map.Entry<String, ManifestContainer> c : running.entrySet()) {
            long grace = c.getValue().gracePeriodSeconds();
            Instant t0 = Instant.now();
            Docker.Result stopped = Docker.docker("stop", "-t", Long.toString(grace), c.getKey());
            Duration took = Duration.between(t0, Instant.now());
            assertThat(stopped.ok()).as(stopped.out()).isTrue();
            String exit = Docker.docker("inspect", "--format", "{{.State.ExitCode}}", c.getKey())
                    .out();
            System.out.printf("IMAGES %s stopped in %d ms, exit %s%n", c.getKey(), took.toMillis(), exit);
            assertThat(took)
                    .as("%s stopped within its grace period", c.getKey())
                    .isLessThan(Duration.ofSeconds(grace));
            assertThat(exit)
                    .as("%s exit code (137 would be a SIGKILL)", c.getKey())
                    .isNotEqualTo("137");
        }
    }

    /** {@code docker run} with the manifest's settings, on the host's network; when it was asked to start. */
    private static Instant start(
            String name, String image, ManifestContainer spec, Map<String, String> env, List<String> extra) {
        Docker.docker("rm", "-f", name);
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", "host"));
        args.addAll(spec.runOptions());
        args.addAll(extra);
        env.forEach((k, v) -> args.addAll(List.of("-e", k + "=" + v)));
        args.add(image);
        Instant t0 = Instant.now();
        Docker.Result run = Docker.docker(args.toArray(String[]::new));
        assertThat(run.ok()).as(run.out()).isTrue();
        running.put(name, spec);
        return t0;
    }

    /** Waits for the readiness probe (and then checks the liveness probe) of the manifest, on the moved port. */
    private static void awaitProbe(String name, ManifestContainer spec, int hostPort, int containerPort) {
        Container c = spec.container();
        for (var probe : List.of(c.getReadinessProbe(), c.getLivenessProbe())) {
            Map.Entry<String, Integer> get = ManifestContainer.httpGet(c, probe);
            int port = get.getValue() == containerPort ? hostPort : -1;
            if (port < 0) {
                continue; // a probe on the other listener is covered by its own call
            }
            try {
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> {
                            try {
                                return HTTP.send(
                                                        HttpRequest.newBuilder(URI.create(
                                                                        "http://127.0.0.1:" + port + get.getKey()))
                                                                .build(),
                                                        HttpResponse.BodyHandlers.discarding())
                                                .statusCode()
                                        == 200;
                            } catch (java.io.IOException e) {
                                return false;
                            }
                        });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(name + " never answered " + get.getKey() + "; its log:\n"
                        + Docker.docker("logs", "--tail", "40", name).out());
            }
        }
    }

    private static void assertResidentMemoryUnderTheLimit(String name, ManifestContainer spec) {
        String usage = Docker.docker("stats", "--no-stream", "--format", "{{.MemUsage}}", name)
                .out();
        System.out.printf("IMAGES %s memory %s%n", name, usage);
        long used = bytes(usage.split("/")[0].trim());
        assertThat(used)
                .as("%s resident memory (%s)", name, usage)
                .isLessThan(spec.memoryLimitBytes().orElseThrow());
    }

    /** A Pod's projected ServiceAccount token, CA and namespace where a Pod has them, and the API's address. */
    private static List<String> serviceAccount(String account, ManifestContainer spec, Map<String, String> env)
            throws Exception {
        String token = client.serviceAccounts()
                .inNamespace(SYSTEM)
                .withName(account)
                .tokenRequest(new TokenRequestBuilder()
                        .withNewSpec()
                        .withExpirationSeconds(3600L)
                        .endSpec()
                        .build())
                .getStatus()
                .getToken();
        Path dir = Files.createDirectories(work.resolve(account));
        Files.writeString(dir.resolve("token"), token);
        Files.copy(plane.caFile(), dir.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("namespace"), SYSTEM);
        for (Path f : List.of(dir, dir.resolve("token"), dir.resolve("ca.crt"), dir.resolve("namespace"))) {
            Files.setPosixFilePermissions(
                    f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
        }
        URI api = URI.create(plane.url());
        env.put("KUBERNETES_SERVICE_HOST", api.getHost());
        env.put("KUBERNETES_SERVICE_PORT", Integer.toString(api.getPort()));
        return List.of("-v", dir + ":/var/run/secrets/kubernetes.io/serviceaccount:ro");
    }

    private static String resolve(EnvVar e, Map<String, String> secretValues) {
        var from = e.getValueFrom();
        if (from.getFieldRef() != null
                && "metadata.namespace".equals(from.getFieldRef().getFieldPath())) {
            return SYSTEM;
        }
        if (from.getSecretKeyRef() != null) {
            return secretValues.get(from.getSecretKeyRef().getKey());
        }
        throw new IllegalStateException("no value for " + e.getName());
    }

    private static void applyEverythingButTheDeployments() throws Exception {
        try (InputStream in = Files.newInputStream(Path.of("target", "kubernetes", "kubernetes.yml"))) {
            for (HasMetadata object : client.load(in).items()) {
                if (!(object instanceof Deployment)) {
                    client.resource(object).forceConflicts().serverSideApply();
                }
            }
        }
    }

    private static PodSpec deployment(String name) throws Exception {
        try (InputStream in = Files.newInputStream(Path.of("target", "kubernetes", "kubernetes.yml"))) {
            return client.load(in).items().stream()
                    .filter(o ->
                            o instanceof Deployment && o.getMetadata().getName().equals(name))
                    .map(o -> ((Deployment) o).getSpec().getTemplate().getSpec())
                    .findFirst()
                    .orElseThrow();
        }
    }

    @SuppressWarnings("unchecked")
    private static PodSpec templatePodSpec() throws Exception {
        try (InputStream in = Files.newInputStream(Path.of("deploy", "kata-aks", "sandbox-template.yaml"))) {
            GenericKubernetesResource template =
                    client.getKubernetesSerialization().unmarshal(in, GenericKubernetesResource.class);
            Map<String, Object> spec =
                    (Map<String, Object>) template.getAdditionalProperties().get("spec");
            Map<String, Object> podTemplate = (Map<String, Object>) spec.get("podTemplate");
            return client.getKubernetesSerialization().convertValue(podTemplate.get("spec"), PodSpec.class);
        }
    }

    private static Sandbox sandbox() {
        return client.getKubernetesSerialization()
                .unmarshal(
                        """
                        apiVersion: agents.x-k8s.io/v1beta1
                        kind: Sandbox
                        metadata:
                          name: alice-box
                          namespace: %s
                          labels:
                            agents.x-k8s.io/owner: alice
                        spec:
                          podTemplate:
                            spec:
                              containers:
                              - name: agent
                                image: agent-sandbox-agent:it
                        """
                                .formatted(NS),
                        Sandbox.class);
    }

    private static long bytes(String quantity) {
        String q = quantity.replace("iB", "i").replace("B", "");
        return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
                        new io.fabric8.kubernetes.api.model.Quantity(q))
                .longValue();
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
