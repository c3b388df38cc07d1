package dev.agentsandbox.controller.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.NameHash;
import dev.agentsandbox.local.Kubectl;
import dev.agentsandbox.local.LocalModeProcess;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Sandbox and SandboxTemplate controllers seen from outside: the packaged application's {@code local --serve}
 * driven with the installed kubectl, as a user would. One local-mode process for the class; runs in {@code verify}
 * (failsafe) because it needs {@code target/quarkus-app/quarkus-run.jar}; skipped when kubectl is not installed.
 */
class SandboxKubectlIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String NS = "sandbox-kubectl-it";
    static final Duration WAIT = Duration.ofSeconds(45);
    static LocalModeProcess local;
    static Kubectl kubectl;

    @BeforeAll
    static void startLocalMode() throws Exception {
        assumeTrue(
                Kubectl.installed(),
                "kubectl is not installed: the kubectl tests of the Sandbox and template " + "controllers are skipped");
        assumeTrue(
                Files.isRegularFile(LocalModeProcess.JAR),
                "run ./mvnw package first: " + LocalModeProcess.JAR + " is missing");
        Path dir = Files.createTempDirectory("sandbox-kubectl-it");
        local = LocalModeProcess.start(dir, Duration.ofSeconds(5), Duration.ofSeconds(180));
        kubectl = new Kubectl(local.kubeconfig(), dir.resolve("kubectl-cache"));
        Kubectl.Result created = kubectl.run("create", "namespace", NS);
        assertThat(created.ok()).as("%s", created).isTrue();
    }

    @AfterAll
    static void stopLocalMode() throws Exception {
        if (local != null) {
            local.close();
        }
    }

    /**
     * A Sandbox whose container local mode can run: a Python HTTP server on the pod's own loopback address, with a
     * readiness probe, a volume claim template and a headless Service.
     */
    static String webSandbox(String name, String extraSpec) {
        return """
                apiVersion: agents.x-k8s.io/v1beta1
                kind: Sandbox
                metadata: {name: %s, namespace: %s}
                spec:
                  service: true
                %s
                  volumeClaimTemplates:
                  - metadata: {name: data}
                    spec:
                      accessModes: [ReadWriteOnce]
                      resources: {requests: {storage: 1Gi}}
                  podTemplate:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                      - name: web
                        image: python:3.12-slim
                        command: ["python3", "-m", "http.server", "8000", "--bind", "$(POD_IP)"]
                        env:
                        - name: POD_IP
                          valueFrom: {fieldRef: {fieldPath: status.podIP}}
                        ports: [{name: http, containerPort: 8000}]
                        readinessProbe:
                          httpGet: {path: /, port: http}
                          periodSeconds: 1
                """
                .formatted(name, NS, extraSpec);
    }

    @Test
    void sandboxGetsPodServiceAndVolumeThenSuspendsAndResumes() throws Exception {
        Kubectl.Result applied = kubectl.apply(webSandbox("web", ""));
        assertThat(applied.ok()).as("%s", applied).isTrue();

        await().until(() -> readyStatus("web").equals("True"));
        JsonNode sandbox = json("get", "sandbox", "web", "-n", NS, "-o", "json");
        String sandboxUid = sandbox.path("metadata").path("uid").asText();
        JsonNode status = sandbox.path("status");
        assertThat(status.path("service").asText()).isEqualTo("web");
        assertThat(status.path("serviceFQDN").asText()).isEqualTo("web." + NS + ".svc.cluster.local");
        assertThat(status.path("selector").asText()).isEqualTo(Labels.SANDBOX_NAME_HASH + "=" + NameHash.of("web"));

        JsonNode pod = json("get", "pod", "web", "-n", NS, "-o", "json");
        assertControlledBy(pod, "Sandbox", sandboxUid);
        assertThat(pod.path("metadata")
                        .path("labels")
                        .path(Labels.SANDBOX_NAME_HASH)
                        .asText())
                .isEqualTo(NameHash.of("web"));
        assertThat(pod.path("status").path("phase").asText()).isEqualTo("Running");
        String ip = pod.path("status").path("podIP").asText();
        assertThat(status.path("podIPs").get(0).asText()).isEqualTo(ip);
        assertThat(httpGet("http://" + ip + ":8000/"))
                .as("the Sandbox's Pod serves on its pod IP")
                .isEqualTo(200);
        assertThat(pod.path("spec").path("volumes").findValuesAsText("claimName"))
                .containsExactly("data-web");

        JsonNode service = json("get", "service", "web", "-n", NS, "-o", "json");
        assertControlledBy(service, "Sandbox", sandboxUid);
        assertThat(service.path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertThat(service.path("spec")
                        .path("selector")
                        .path(Labels.SANDBOX_NAME_HASH)
                        .asText())
                .isEqualTo(NameHash.of("web"));
        assertThat(service.path("spec").path("ports").get(0).path("port").asInt())
                .isEqualTo(8000);
        String serviceUid = service.path("metadata").path("uid").asText();

        JsonNode pvc = json("get", "pvc", "data-web", "-n", NS, "-o", "json");
        assertControlledBy(pvc, "Sandbox", sandboxUid);
        String pvcUid = pvc.path("metadata").path("uid").asText();
        await().until(() -> kubectl.run("get", "pvc", "data-web", "-n", NS, "-o", "jsonpath={.status.phase}")
                .out()
                .equals("Bound"));

        // Suspend: only the Pod goes (and its process with it); Service and claim stay.
        String podUid = pod.path("metadata").path("uid").asText();
        long pid = pid(pod);
        patchMode("web", "Suspended");
        await().until(() -> kubectl.run("get", "pod", "web", "-n", NS).err().contains("NotFound")
                && condition("web", "Suspended").equals("True/PodTerminated"));
        assertThat(condition("web", "Ready")).isEqualTo("False/SandboxSuspended");
        await().until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        assertThat(uid("service", "web")).isEqualTo(serviceUid);
        assertThat(uid("pvc", "data-web")).isEqualTo(pvcUid);

        // Resume: a new Pod with the same claim and Service.
        patchMode("web", "Running");
        await().until(() -> readyStatus("web").equals("True"));
        assertThat(condition("web", "Suspended")).isEqualTo("False/NotSuspended");
        JsonNode resumed = json("get", "pod", "web", "-n", NS, "-o", "json");
        assertThat(resumed.path("metadata").path("uid").asText()).isNotEqualTo(podUid);
        assertThat(resumed.path("spec").path("volumes").findValuesAsText("claimName"))
                .containsExactly("data-web");
        assertThat(httpGet("http://" + resumed.path("status").path("podIP").asText() + ":8000/"))
                .isEqualTo(200);
        assertThat(uid("service", "web")).isEqualTo(serviceUid);
        assertThat(uid("pvc", "data-web")).isEqualTo(pvcUid);

        String described = kubectl.run("describe", "sandbox", "web", "-n", NS).out();
        assertThat(described)
                .contains(
                        "PodCreated",
                        "ServiceCreated",
                        "PersistentVolumeClaimCreated",
                        "PodDeleted",
                        "SandboxSuspended",
                        "SandboxReady");
    }

    @Test
    void expiryWithDeleteRemovesTheSandboxAndEverythingItOwns() throws Exception {
        Instant shutdown = Instant.now().plusSeconds(10).truncatedTo(ChronoUnit.SECONDS);
        Kubectl.Result applied =
                kubectl.apply(webSandbox("brief", "  shutdownTime: \"" + shutdown + "\"\n  shutdownPolicy: Delete"));
        assertThat(applied.ok()).as("%s", applied).isTrue();
        await().until(() -> kubectl.run("get", "pod", "brief", "-n", NS).ok()
                && kubectl.run("get", "service", "brief", "-n", NS).ok()
                && kubectl.run("get", "pvc", "data-brief", "-n", NS).ok());

        await().until(() ->
                kubectl.run("get", "sandbox", "brief", "-n", NS).err().contains("NotFound"));
        assertThat(Instant.now()).as("not before its shutdown time").isAfterOrEqualTo(shutdown);
        await().until(() -> kubectl.run("get", "pod", "brief", "-n", NS).err().contains("NotFound")
                && kubectl.run("get", "service", "brief", "-n", NS).err().contains("NotFound")
                && kubectl.run("get", "pvc", "data-brief", "-n", NS).err().contains("NotFound"));
    }

    @Test
    void aTemplateGetsTheDefaultNetworkPolicy() throws Exception {
        Kubectl.Result applied = kubectl.apply(
                """
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxTemplate
                metadata: {name: guarded, namespace: %s}
                spec:
                  podTemplate:
                    spec:
                      containers: [{name: main, image: busybox}]
                """
                        .formatted(NS));
        assertThat(applied.ok()).as("%s", applied).isTrue();
        String templateUid = uid("sandboxtemplate", "guarded");
        await().until(() -> kubectl.run("get", "networkpolicy", "guarded-network-policy", "-n", NS)
                .ok());

        JsonNode policy = json("get", "netpol", "guarded-network-policy", "-n", NS, "-o", "json");
        assertControlledBy(policy, "SandboxTemplate", templateUid);
        JsonNode spec = policy.path("spec");
        assertThat(spec.path("podSelector"))
                .isEqualTo(JSON.readTree("""
                {"matchLabels": {"%s": "%s"}}"""
                        .formatted(Labels.SANDBOX_TEMPLATE_REF_HASH, NameHash.of("guarded"))));
        assertThat(spec.path("policyTypes")).isEqualTo(JSON.readTree("[\"Ingress\", \"Egress\"]"));
        // Ingress only from the router's pods in the router's namespace (one peer: both selectors must match).
        assertThat(spec.path("ingress"))
                .isEqualTo(
                        JSON.readTree(
                                """
                [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "agent-sandbox-system"}},
                            "podSelector": {"matchLabels": {"app": "sandbox-router"}}}]}]"""));
        // Egress to the public internet only (IPv4 and IPv6 minus private, link-local and ULA), DNS to public
        // resolvers.
        assertThat(spec.path("egress"))
                .isEqualTo(
                        JSON.readTree(
                                """
                [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                                                   "169.254.0.0/16", "100.64.0.0/10"]}},
                         {"ipBlock": {"cidr": "::/0", "except": ["fc00::/7", "fe80::/10"]}}]},
                 {"to": [{"ipBlock": {"cidr": "8.8.8.8/32"}}, {"ipBlock": {"cidr": "1.1.1.1/32"}}],
                  "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]"""));
        await().until(() -> kubectl.run(
                        "get",
                        "sandboxtemplate",
                        "guarded",
                        "-n",
                        NS,
                        "-o",
                        "jsonpath={.metadata.labels.agents\\.x-k8s\\.io/sandbox-template-ref-hash}")
                .out()
                .equals(NameHash.of("guarded")));
    }

    // --- helpers

    private static ConditionFactory await() {
        return Awaitility.await()
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions();
    }

    static JsonNode json(String... args) throws Exception {
        Kubectl.Result r = kubectl.run(args);
        assertThat(r.ok()).as("%s", r).isTrue();
        return JSON.readTree(r.out());
    }

    private static String readyStatus(String sandbox) throws Exception {
        return kubectl.run(
                        "get",
                        "sandbox",
                        sandbox,
                        "-n",
                        NS,
                        "-o",
                        "jsonpath={.status.conditions[?(@.type=='Ready')].status}")
                .out();
    }

    /** "status/reason" of a condition of the Sandbox. */
    private static String condition(String sandbox, String type) throws Exception {
        return kubectl.run(
                        "get",
                        "sandbox",
                        sandbox,
                        "-n",
                        NS,
                        "-o",
                        "jsonpath={.status.conditions[?(@.type=='" + type
                                + "')].status}/{.status.conditions[?(@.type=='" + type + "')].reason}")
                .out();
    }

    private static String uid(String kind, String name) throws Exception {
        Kubectl.Result r = kubectl.run("get", kind, name, "-n", NS, "-o", "jsonpath={.metadata.uid}");
        assertThat(r.ok()).as("%s", r).isTrue();
        return r.out();
    }

    private static void patchMode(String sandbox, String mode) throws Exception {
        Kubectl.Result r = kubectl.run(
                "patch",
                "sandbox",
                sandbox,
                "-n",
                NS,
                "--type",
                "merge",
                "-p",
                "{\"spec\":{\"operatingMode\":\"" + mode + "\"}}");
        assertThat(r.ok()).as("%s", r).isTrue();
    }

    /** The process local mode runs for the Pod (its container ID is {@code local://<pid>}). */
    private static long pid(JsonNode pod) {
        String id = pod.path("status")
                .path("containerStatuses")
                .path(0)
                .path("containerID")
                .asText();
        assertThat(id).startsWith("local://");
        return Long.parseLong(id.substring("local://".length()));
    }

    private static void assertControlledBy(JsonNode object, String kind, String uid) {
        List<JsonNode> controllers = object.path("metadata").path("ownerReferences").findParents("controller").stream()
                .filter(r -> r.path("controller").asBoolean())
                .toList();
        assertThat(controllers).singleElement().satisfies(r -> {
            assertThat(r.path("kind").asText()).isEqualTo(kind);
            assertThat(r.path("uid").asText()).isEqualTo(uid);
        });
    }

    private static int httpGet(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            return c.getResponseCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
