package dev.agentsandbox.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drives the packaged application's {@code local --serve} with the installed kubectl, as a user would. Runs in
 * {@code verify} (failsafe) because it needs {@code target/quarkus-app/quarkus-run.jar}; skipped when kubectl is
 * not installed.
 */
class LocalModeKubectlIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String NS = "kubectl-it";
    /** kube-apiserver's classic default: small enough that a test pushes a version out of it quickly. */
    static final int WATCH_CACHE_SIZE = 100;

    static LocalModeProcess local;
    static Path workDir;

    @org.junit.jupiter.api.extension.RegisterExtension
    static final LocalModeProcess.LogOnFailure LOG_ON_FAILURE = new LocalModeProcess.LogOnFailure(() -> local);

    static Kubectl kubectl;

    @BeforeAll
    static void startLocalMode() throws Exception {
        assumeTrue(Kubectl.installed(), "kubectl is not installed: the kubectl tests of local mode are skipped");
        assumeTrue(
                Files.isRegularFile(LocalModeProcess.JAR),
                "run ./mvnw package first: " + LocalModeProcess.JAR + " is missing");
        Path dir = Files.createTempDirectory("local-mode-it");
        workDir = dir;
        local = LocalModeProcess.start(
                dir,
                Duration.ofSeconds(5),
                Duration.ofSeconds(180),
                Map.of("SANDBOX_LOCAL_WATCH_CACHE_SIZE", Integer.toString(WATCH_CACHE_SIZE)));
        kubectl = new Kubectl(local.kubeconfig(), dir.resolve("kubectl-cache"));
        assertThat(kubectl.run("create", "namespace", NS).ok()).isTrue();
    }

    /** SIGTERM to local mode (what Ctrl-C and service managers do) takes its Pod processes with it. */
    @AfterAll
    static void stopLocalModeAndItsProcesses() throws Exception {
        if (local == null) {
            return;
        }
        try {
            Kubectl.Result applied = kubectl.apply(
                    """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: sleeper, namespace: kubectl-it}
                    spec:
                      containers: [{name: main, image: busybox, command: [sleep, "600"]}]
                    """);
            assertThat(applied.ok()).as("%s", applied).isTrue();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> kubectl.run("get", "pod", "sleeper", "-n", NS, "-o", "jsonpath={.status.phase}")
                            .out()
                            .equals("Running"));
            long pid = Long.parseLong(kubectl.run(
                            "get",
                            "pod",
                            "sleeper",
                            "-n",
                            NS,
                            "-o",
                            "jsonpath={.status.containerStatuses[0].containerID}")
                    .out()
                    .replace("local://", ""));
            List<Long> family = new java.util.ArrayList<>(List.of(pid));
            ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> family.add(d.pid())));
            assertThat(family).as("watchdog and sleep").hasSizeGreaterThanOrEqualTo(2);
            local.close();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> family.stream()
                    .noneMatch(LocalModeKubectlIT::running));
        } finally {
            local.close();
        }
    }

    static JsonNode json(String... args) throws Exception {
        Kubectl.Result r = kubectl.run(args);
        assertThat(r.ok()).as("%s", r).isTrue();
        return JSON.readTree(r.out());
    }

    @Test
    void kubeconfigIsPrivateAndLinesArePrinted() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local.kubeconfig())))
                .isEqualTo("rw-------");
        assertThat(local.lines).containsKey("KUBECONFIG");
        assertThat(kubectl.run("get", "namespace", "sandbox-agent-demo").ok()).isTrue();
        assertThat(json("get", "swp", "kata-aks-warmpool", "-n", "sandbox-agent-demo", "-o", "json")
                        .path("spec")
                        .path("replicas")
                        .asInt())
                .isEqualTo(3);
        JsonNode template =
                json("get", "sandboxtemplate", "kata-aks-template", "-n", "sandbox-agent-demo", "-o", "json");
        assertThat(template.path("spec").path("podTemplate").path("spec").has("runtimeClassName"))
                .as("the Kata runtime class is dropped locally")
                .isFalse();
        JsonNode secret = json("get", "secret", "azure-foundry", "-n", "sandbox-agent-demo", "-o", "json");
        assertThat(secret.path("data").has("OPENAI_BASE_URL")).isTrue();
    }

    @Test
    void appliesAndReadsBackEachKind() throws Exception {
        Kubectl.Result applied = kubectl.apply(
                """
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxTemplate
                metadata: {name: it-template, namespace: kubectl-it, labels: {suite: it}}
                spec:
                  podTemplate:
                    spec:
                      containers: [{name: main, image: busybox}]
                ---
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxWarmPool
                metadata: {name: it-pool, namespace: kubectl-it, labels: {suite: it}}
                spec:
                  replicas: 0
                  sandboxTemplateRef: {name: it-template}
                ---
                apiVersion: agents.x-k8s.io/v1beta1
                kind: Sandbox
                metadata: {name: it-sandbox, namespace: kubectl-it, labels: {suite: it}}
                spec:
                  podTemplate:
                    spec:
                      containers: [{name: main, image: busybox}]
                ---
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxClaim
                metadata: {name: it-claim, namespace: kubectl-it, labels: {suite: it}}
                spec:
                  warmPoolRef: {name: it-pool}
                """);
        assertThat(applied.ok()).as("%s", applied).isTrue();
        assertThat(kubectl.run("get", "sandbox", "it-sandbox", "-n", NS).out()).contains("it-sandbox");
        assertThat(kubectl.run("get", "sandboxclaim", "it-claim", "-n", NS).out())
                .contains("it-claim");
        assertThat(kubectl.run("get", "swp", "it-pool", "-n", NS).out()).contains("it-pool");
        assertThat(kubectl.run("get", "sandboxtemplate", "it-template", "-n", NS, "-o", "yaml")
                        .out())
                .contains("kind: SandboxTemplate", "name: it-template");
        assertThat(kubectl.run(
                                "get",
                                "sandbox,sandboxclaim,swp,sandboxtemplate",
                                "-n",
                                NS,
                                "-l",
                                "suite=it",
                                "-o",
                                "jsonpath={.items[*].metadata.name}")
                        .out()
                        .split(" "))
                .containsExactlyInAnyOrder("it-sandbox", "it-claim", "it-pool", "it-template");
        assertThat(kubectl.run("get", "sandbox", "-n", NS, "-l", "suite=other").err())
                .contains("No resources found");
        assertThat(json("get", "sandbox", "it-sandbox", "-n", NS, "-o", "json")
                        .path("spec")
                        .path("shutdownPolicy")
                        .asText())
                .as("schema default")
                .isEqualTo("Retain");
        Kubectl.Result described = kubectl.run("describe", "sandboxclaim", "it-claim", "-n", NS);
        assertThat(described.ok()).as("%s", described).isTrue();
        assertThat(described.out()).contains("Name:", "it-claim", "Warm Pool Ref");

        Kubectl.Result patched = kubectl.run(
                "patch",
                "sandbox",
                "it-sandbox",
                "-n",
                NS,
                "--type",
                "merge",
                "-p",
                "{\"metadata\":{\"labels\":{\"suite\":null,\"patched\":\"yes\"}},\"spec\":{\"shutdownPolicy\":\"Delete\"}}");
        assertThat(patched.ok()).as("%s", patched).isTrue();
        JsonNode sandbox = json("get", "sandbox", "it-sandbox", "-n", NS, "-o", "json");
        assertThat(sandbox.path("metadata").path("labels").has("suite"))
                .as("null deletes")
                .isFalse();
        assertThat(sandbox.path("spec").path("shutdownPolicy").asText()).isEqualTo("Delete");

        assertThat(kubectl.run("delete", "sandboxclaim", "it-claim", "-n", NS).ok())
                .isTrue();
        assertThat(kubectl.run("get", "sandboxclaim", "it-claim", "-n", NS).err())
                .contains("NotFound");
    }

    @Test
    void reappliesAndLabelsBuiltInAndCustomKinds() throws Exception {
        String cm =
                """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings, namespace: kubectl-it}
                data: {a: "1", b: "2"}
                """;
        assertThat(kubectl.apply(cm).ok()).isTrue();
        Kubectl.Result again = kubectl.apply(cm.replace("b: \"2\"", "c: \"3\""));
        assertThat(again.ok())
                .as("strategic merge patch of a built-in kind: %s", again)
                .isTrue();
        JsonNode data =
                json("get", "configmap", "settings", "-n", NS, "-o", "json").path("data");
        assertThat(data.has("b"))
                .as("apply removes what the last applied configuration had")
                .isFalse();
        assertThat(data.path("c").asText()).isEqualTo("3");
        assertThat(kubectl.run("label", "configmap", "settings", "-n", NS, "tier=one")
                        .ok())
                .isTrue();

        String pool =
                """
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxWarmPool
                metadata: {name: reapplied, namespace: kubectl-it}
                spec:
                  replicas: 2
                  sandboxTemplateRef: {name: t}
                """;
        assertThat(kubectl.apply(pool).ok()).isTrue();
        Kubectl.Result poolAgain = kubectl.apply(pool.replace("replicas: 2", "replicas: 5"));
        assertThat(poolAgain.ok())
                .as("merge patch of a custom resource: %s", poolAgain)
                .isTrue();
        assertThat(kubectl.run("annotate", "swp", "reapplied", "-n", NS, "note=yes")
                        .ok())
                .isTrue();
        JsonNode p = json("get", "swp", "reapplied", "-n", NS, "-o", "json");
        assertThat(p.path("spec").path("replicas").asInt()).isEqualTo(5);
        assertThat(p.path("metadata").path("annotations").path("note").asText()).isEqualTo("yes");
    }

    @Test
    void scalesAWarmPoolThroughTheScaleSubresource() throws Exception {
        assertThat(kubectl.apply(
                                """
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxWarmPool
                metadata: {name: scaled-pool, namespace: kubectl-it}
                spec:
                  replicas: 1
                  sandboxTemplateRef: {name: nowhere}
                """)
                        .ok())
                .isTrue();
        Kubectl.Result scaled = kubectl.run("scale", "swp", "scaled-pool", "-n", NS, "--replicas=4");
        assertThat(scaled.ok()).as("%s", scaled).isTrue();
        assertThat(kubectl.run("get", "swp", "scaled-pool", "-n", NS, "-o", "jsonpath={.spec.replicas}")
                        .out())
                .isEqualTo("4");
        String table = kubectl.run("get", "swp", "scaled-pool", "-n", NS).out();
        assertThat(table).as("printer columns").contains("DESIRED").containsPattern("scaled-pool\\s+\\S*\\s*4");
    }

    @Test
    void refusesABadEnumWith422NamingTheField() throws Exception {
        Kubectl.Result r = kubectl.apply(
                """
                apiVersion: agents.x-k8s.io/v1beta1
                kind: Sandbox
                metadata: {name: bad-policy, namespace: kubectl-it}
                spec:
                  shutdownPolicy: Later
                  podTemplate:
                    spec:
                      containers: [{name: main, image: busybox}]
                """);
        assertThat(r.ok()).isFalse();
        assertThat(r.err()).contains("spec.shutdownPolicy", "Unsupported value: \"Later\"", "\"Delete\", \"Retain\"");
        assertThat(kubectl.run("get", "sandbox", "bad-policy", "-n", NS).err()).contains("NotFound");
    }

    @Test
    void runsAPodWithACommandOnItsOwnAddressAndKillsItOnDelete() throws Exception {
        Kubectl.Result applied = kubectl.apply(
                """
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: kubectl-it}
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
                """);
        assertThat(applied.ok()).as("%s", applied).isTrue();
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> kubectl.run(
                                "get",
                                "pod",
                                "web",
                                "-n",
                                NS,
                                "-o",
                                "jsonpath={.status.phase}/{.status.conditions[?(@.type=='Ready')].status}")
                        .out()
                        .equals("Running/True"));
        JsonNode pod = json("get", "pod", "web", "-n", NS, "-o", "json");
        String ip = pod.path("status").path("podIP").asText();
        assertThat(ip).startsWith("127.").isNotEqualTo("127.0.0.1");
        assertThat(pod.path("spec").path("nodeName").asText()).isEqualTo("local");
        assertThat(get("http://" + ip + ":8000/")).isEqualTo(200);
        assertThat(kubectl.run("get", "pod", "web", "-n", NS, "-o", "wide").out())
                .contains("1/1", "Running", ip, "local");
        long pid = Long.parseLong(pod.path("status")
                .path("containerStatuses")
                .get(0)
                .path("containerID")
                .asText()
                .replace("local://", ""));
        assertThat(ProcessHandle.of(pid)).isPresent();

        assertThat(kubectl.run("delete", "pod", "web", "-n", NS).ok()).isTrue();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)
                        && get("http://" + ip + ":8000/") < 0);
    }

    @Test
    void collectsDependentsOfADeletedOwner() throws Exception {
        assertThat(kubectl.run("create", "configmap", "owner", "-n", NS, "--from-literal=a=1")
                        .ok())
                .isTrue();
        String uid = kubectl.run("get", "configmap", "owner", "-n", NS, "-o", "jsonpath={.metadata.uid}")
                .out();
        assertThat(kubectl.apply(
                                """
                apiVersion: v1
                kind: Service
                metadata:
                  name: dependent
                  namespace: kubectl-it
                  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner, uid: "%s"}]
                spec:
                  clusterIP: None
                  ports: [{port: 8080}]
                """
                                        .formatted(uid))
                        .ok())
                .isTrue();
        assertThat(kubectl.run("delete", "configmap", "owner", "-n", NS).ok()).isTrue();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> kubectl.run("get", "service", "dependent", "-n", NS)
                        .err()
                        .contains("NotFound"));
    }

    @Test
    void servesTheBuiltInKindsSandboxesUse() throws Exception {
        Kubectl.Result applied = kubectl.apply(
                """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data, namespace: kubectl-it}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny, namespace: kubectl-it}
                spec:
                  podSelector: {}
                  policyTypes: [Ingress]
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: creds, namespace: kubectl-it}
                stringData: {key: value}
                """);
        assertThat(applied.ok()).as("%s", applied).isTrue();
        String pvcUid = kubectl.run("get", "pvc", "data", "-n", NS, "-o", "jsonpath={.metadata.uid}")
                .out();
        assertThat(kubectl.apply(
                                """
                apiVersion: v1
                kind: Event
                metadata: {name: ev1, namespace: kubectl-it}
                involvedObject: {kind: PersistentVolumeClaim, name: data, namespace: kubectl-it, uid: "%s"}
                reason: Tested
                message: an event about the claim
                type: Normal
                """
                                        .formatted(pvcUid))
                        .ok())
                .isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> kubectl.run(
                        "get", "pvc", "data", "-n", NS, "-o", "jsonpath={.status.phase}")
                .out()
                .equals("Bound"));
        assertThat(kubectl.run("get", "netpol", "deny", "-n", NS).ok()).isTrue();
        assertThat(kubectl.run("get", "secret", "creds", "-n", NS).ok()).isTrue();
        assertThat(kubectl.run("get", "events", "-n", NS).out()).contains("ev1");
        Kubectl.Result described = kubectl.run("describe", "pvc", "data", "-n", NS);
        assertThat(described.out()).as("events selected by involvedObject").contains("an event about the claim");
        for (String kind : new String[] {"pvc/data", "netpol/deny", "secret/creds", "event/ev1"}) {
            assertThat(kubectl.run("delete", kind, "-n", NS).ok()).as(kind).isTrue();
        }
    }

    /**
     * What scripts do with kubectl: wait for a claim created just before, whose Ready condition becomes true only
     * later (its warm pool does not exist yet), follow it with {@code get -w}, and wait for its deletion.
     */
    @Test
    void kubectlWaitAndGetWatchFollowAClaimThatBecomesReadyLater() throws Exception {
        Process watch = kubectl.background(workDir.resolve("get-w.out"), "get", "sandboxclaims", "-n", NS, "-w");
        try {
            assertThat(kubectl.apply(
                                    """
                    apiVersion: extensions.agents.x-k8s.io/v1beta1
                    kind: SandboxTemplate
                    metadata: {name: late-template, namespace: kubectl-it}
                    spec:
                      podTemplate:
                        spec:
                          containers: [{name: main, image: busybox, command: [sleep, "600"]}]
                    ---
                    apiVersion: extensions.agents.x-k8s.io/v1beta1
                    kind: SandboxClaim
                    metadata: {name: late, namespace: kubectl-it}
                    spec:
                      warmPoolRef: {name: late-pool}
                    """)
                            .ok())
                    .isTrue();
            Process ready = kubectl.background(
                    workDir.resolve("wait-ready.out"),
                    "wait",
                    "--for=condition=Ready",
                    "sandboxclaim/late",
                    "-n",
                    NS,
                    "--timeout=60s");
            Process named = kubectl.background(
                    workDir.resolve("wait-jsonpath.out"),
                    "wait",
                    "--for=jsonpath={.status.sandbox.name}=late",
                    "sandboxclaim/late",
                    "-n",
                    NS,
                    "--timeout=60s");
            Pattern notFound = Pattern.compile("(?m)^late\\s(?=.*\\bWarmPoolNotFound\\b)(?=.*\\bFalse\\b)");
            Pattern readyRow = Pattern.compile("(?m)^late\\s.*\\bTrue\\b");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> notFound.matcher(output("get-w.out"))
                    .find());
            assertThat(ready.isAlive())
                    .as("kubectl wait waits: %s", output("wait-ready.out"))
                    .isTrue();
            assertThat(output("get-w.out")).as("no row Ready yet").doesNotContainPattern(readyRow);

            assertThat(kubectl.apply(
                                    """
                    apiVersion: extensions.agents.x-k8s.io/v1beta1
                    kind: SandboxWarmPool
                    metadata: {name: late-pool, namespace: kubectl-it}
                    spec:
                      replicas: 0
                      sandboxTemplateRef: {name: late-template}
                    """)
                            .ok())
                    .isTrue();
            assertThat(ready.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(ready.exitValue()).as(output("wait-ready.out")).isZero();
            assertThat(output("wait-ready.out")).contains("sandboxclaim.extensions.agents.x-k8s.io/late condition met");
            assertThat(named.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(named.exitValue()).as(output("wait-jsonpath.out")).isZero();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> readyRow.matcher(output("get-w.out"))
                    .find());
            String rows = output("get-w.out");
            java.util.regex.Matcher first = notFound.matcher(rows);
            java.util.regex.Matcher last = readyRow.matcher(rows);
            assertThat(first.find() && last.find() && first.start() < last.start())
                    .as("the transitions in the order they happened:%n%s", rows)
                    .isTrue();

            Process deleted = kubectl.background(
                    workDir.resolve("wait-delete.out"),
                    "wait",
                    "--for=delete",
                    "sandboxclaim/late",
                    "-n",
                    NS,
                    "--timeout=60s");
            Thread.sleep(500);
            assertThat(deleted.isAlive()).as(output("wait-delete.out")).isTrue();
            assertThat(kubectl.run("delete", "sandboxclaim", "late", "-n", NS, "--wait=false")
                            .ok())
                    .isTrue();
            assertThat(deleted.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(deleted.exitValue()).as(output("wait-delete.out")).isZero();
        } finally {
            watch.destroy();
        }
    }

    /** A client that resumes a watch from a version the server no longer keeps is told to relist: 410 Expired. */
    @Test
    void aWatchFromAVersionTooOldGets410() throws Exception {
        StringBuilder configMaps = new StringBuilder();
        for (int i = 0; i <= WATCH_CACHE_SIZE; i++) {
            configMaps.append("---\n{apiVersion: v1, kind: ConfigMap, metadata: {name: churn-%d, namespace: %s}}\n"
                    .formatted(i, NS));
        }
        Kubectl.Result applied = kubectl.apply(configMaps.toString());
        assertThat(applied.ok()).as("%s", applied).isTrue();
        Kubectl.Result expired =
                kubectl.run("get", "--raw", "/api/v1/namespaces/" + NS + "/configmaps?watch=true&resourceVersion=1");
        assertThat(expired.ok()).isFalse();
        assertThat(expired.err()).contains("Expired", "too old resource version: 1");
    }

    private static String output(String file) throws java.io.IOException {
        return Files.readString(workDir.resolve(file));
    }

    /** Alive and not a zombie waiting for a late reaper. */
    static boolean running(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (Exception e) {
            return false;
        }
    }

    private static int get(String url) {
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
