package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Idle sleep seen from the router, with the real Sandbox controller (controller role) turning operatingMode into a
 * Pod and back, and a test kubelet making the Pods Ready at 127.1.x.y, where one test backend listening on every
 * loopback address answers for every Pod. The test does the idle policy's part: it suspends a Sandbox with the one
 * write the controller's idle policy makes ({@code operatingMode: Suspended} and {@code suspended-by: idle}). Run on
 * the embedded API server ({@link IdleWakeIT}) and on the real control plane ({@link IdleWakeOnKubeIT}), where the
 * router runs as its ServiceAccount under the generated RBAC and admission policy.
 */
abstract class IdleWakeScenarios {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final Map<String, String> ROUTER_SETTINGS = Map.of(
            "sandbox.router.owner-tokens.enabled", "true",
            "sandbox.router.activity-interval", "PT1S");
    static final HttpClient http = RouterFixture.httpClient();

    @Inject
    KubernetesClient client;

    TestKubelet kubelet;
    RouterFixture router;
    HttpServer agent;
    String aliceToken;
    String bobToken;
    /** The Sandboxes this test made, deleted after it. */
    final List<String> created = new ArrayList<>();
    /** Every Pod uid seen, by Pod name: a woken sandbox must have exactly one more. */
    final Map<String, Set<String>> podsByName = new ConcurrentHashMap<>();

    Watch pods;

    /** The namespace of the test's Sandboxes. */
    abstract String namespace();

    /** Whether the API server has a scheduler (and so needs Nodes and bound Pods). */
    abstract boolean realControlPlane();

    /** The router's credentials on this API server; null: the test client's. */
    abstract io.fabric8.kubernetes.client.Config routerIdentity();

    @BeforeEach
    void startRouterAndKubelet() throws Exception {
        kubelet = new TestKubelet(client, realControlPlane()).start();
        pods = client.pods().inNamespace(namespace()).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                podsByName
                        .computeIfAbsent(pod.getMetadata().getName(), n -> ConcurrentHashMap.newKeySet())
                        .add(pod.getMetadata().getUid());
            }

            @Override
            public void onClose(WatcherException cause) {}
        });
        router = new RouterFixture(ROUTER_SETTINGS, client, routerIdentity());
        agent = startAgent();
        Map<String, String> tokens = router.ownerTokens("alice", "bob");
        aliceToken = tokens.get("alice");
        bobToken = tokens.get("bob");
    }

    @AfterEach
    void stopRouterAndKubelet() {
        for (String name : created) {
            client.resources(Sandbox.class)
                    .inNamespace(namespace())
                    .withName(name)
                    .delete();
        }
        if (router != null) {
            router.close();
        }
        if (pods != null) {
            pods.close();
        }
        if (kubelet != null) {
            kubelet.close();
        }
    }

    @Test
    void theNextChatWakesAnIdleSandboxAndIsAnsweredInTheSameRequest() throws Exception {
        String first = readySandbox("wake-me", "alice");
        assertThat(chat("wake-me", aliceToken).statusCode()).isEqualTo(200);

        suspendForIdle("wake-me");
        Instant suspendedAt = Instant.now();
        HttpResponse<String> answer = chat("wake-me", aliceToken);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("X-Sandbox-Woken"))
                .as("the client is told it woke the sandbox")
                .contains("true");
        JsonObject reply = new JsonObject(answer.body());
        assertThat(reply.getString("owner")).isEqualTo("alice");
        assertThat(reply.getString("prompt")).isEqualTo("hello");
        Sandbox woken = sandbox("wake-me");
        assertThat(woken.getSpec().getOperatingMode()).isEqualTo(OperatingMode.RUNNING);
        assertThat(activity(woken)).hasValueSatisfying(at -> assertThat(at).isAfter(suspendedAt.minusSeconds(1)));
        assertThat(reply.getString("pod")).as("answered by the new Pod").isEqualTo(podIp("wake-me"));
        assertThat(podsByName.get("wake-me"))
                .as("the first Pod and the one the wake made")
                .hasSize(2);
        assertThat(first).isNotEqualTo(podIp("wake-me"));
    }

    @Test
    void twentyConcurrentRequestsMakeExactlyOneNewPodAndAreAllAnswered() throws Exception {
        readySandbox("crowd", "alice");
        suspendForIdle("crowd");
        int podsBefore = podsByName.get("crowd").size();

        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(http.sendAsync(request("crowd", aliceToken).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
        // a second Pod would come from a second wake or a controller confused by one; give it time to show
        Thread.sleep(2000);
        assertThat(podsByName.get("crowd")).hasSize(podsBefore + 1);
        assertThat(router.registry
                        .get("sandbox.router.wakes")
                        .tag("result", "written")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void aSandboxAUserSuspendedGets409AndStaysSuspended() throws Exception {
        readySandbox("paused", "alice");
        asController("paused", "{\"spec\":{\"operatingMode\":\"Suspended\"}}");
        awaitSuspended("paused");

        HttpResponse<String> answer = chat("paused", aliceToken);

        assertThat(answer.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(answer.body()).getString("state")).isEqualTo("suspended");
        assertThat(new JsonObject(answer.body()).getString("detail")).contains("suspended by a user");
        assertThat(sandbox("paused").getSpec().getOperatingMode()).isEqualTo(OperatingMode.SUSPENDED);
    }

    @Test
    void bobsTokenOnAlicesIdleSandboxGets403AndDoesNotWakeIt() throws Exception {
        readySandbox("alices", "alice");
        suspendForIdle("alices");
        int podsBefore = podsByName.get("alices").size();

        HttpResponse<String> answer = chat("alices", bobToken);

        assertThat(answer.statusCode()).isEqualTo(403);
        Thread.sleep(1500);
        assertThat(sandbox("alices").getSpec().getOperatingMode()).isEqualTo(OperatingMode.SUSPENDED);
        assertThat(podsByName.get("alices")).hasSize(podsBefore);
    }

    @Test
    void aWakeSlowerThanTheRequestGets503AndWithoutWakeTheAnswerIsAtOnce() throws Exception {
        readySandbox("slow", "alice");
        readySandbox("not-now", "alice");
        suspendForIdle("slow");
        suspendForIdle("not-now");
        kubelet.autoReady(false);

        HttpResponse<String> timedOut = send(request("slow", aliceToken).header("X-Sandbox-Timeout", "1"));
        long start = System.nanoTime();
        HttpResponse<String> notWoken = send(request("not-now", aliceToken).header("X-Sandbox-Wake", "false"));
        Duration immediate = Duration.ofNanos(System.nanoTime() - start);

        for (HttpResponse<String> answer : List.of(timedOut, notWoken)) {
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Retry-After")).isPresent();
            assertThat(new JsonObject(answer.body()).getString("state")).isEqualTo("waking");
        }
        assertThat(immediate).isLessThan(Duration.ofSeconds(1));
        assertThat(sandbox("slow").getSpec().getOperatingMode()).isEqualTo(OperatingMode.RUNNING);
        assertThat(sandbox("not-now").getSpec().getOperatingMode()).isEqualTo(OperatingMode.SUSPENDED);
    }

    @Test
    void anOpenStreamKeepsPublishingActivityPastTheIdleTimeout() throws Exception {
        readySandbox("streaming", "alice");
        Instant opened = Instant.now();
        CompletableFuture<HttpResponse<String>> stream = http.sendAsync(
                request("streaming", aliceToken)
                        .uri(URI.create(router.url("/events")))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        // an idle timeout of 2 s would have passed: the stream is activity all along
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> activity(sandbox("streaming"))
                .filter(at -> at.isAfter(opened.plusSeconds(3)))
                .isPresent());
        assertThat(stream).isNotDone();
        assertThat(stream.get(WAIT.toSeconds(), TimeUnit.SECONDS).body()).endsWith("data: done\n\n");
    }

    // ----- the test's part: the agent, Sandboxes, and the idle policy's write ----------------------------------

    /** One backend for every Pod address (it listens on all of them): echoes the owner and the address it got. */
    private HttpServer startAgent() throws Exception {
        return router.vertx
                .createHttpServer(new HttpServerOptions().setHost("0.0.0.0").setPort(0))
                .requestHandler(request -> {
                    if (request.path().equals("/events")) {
                        request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
                        long timer = router.vertx.setPeriodic(
                                200, id -> request.response().write("data: tick\n\n"));
                        router.vertx.setTimer(5000, id -> {
                            router.vertx.cancelTimer(timer);
                            request.response().end("data: done\n\n");
                        });
                        return;
                    }
                    request.body().onSuccess(body -> request.response()
                            .putHeader("Content-Type", "application/json")
                            .end(new JsonObject()
                                    .put("owner", request.getHeader("X-Owner"))
                                    .put("pod", request.localAddress().host())
                                    .put("prompt", new JsonObject(body.toString()).getString("prompt"))
                                    .encode()));
                })
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    /** Creates a Sandbox owned by {@code owner} and waits until it is Ready with a Pod; returns its pod IP. */
    String readySandbox(String name, String owner) {
        created.add(name);
        client.resources(Sandbox.class)
                .inNamespace(namespace())
                .resource(client.getKubernetesSerialization()
                        .unmarshal(
                                """
                        apiVersion: agents.x-k8s.io/v1beta1
                        kind: Sandbox
                        metadata:
                          name: %s
                          labels:
                            %s: %s
                        spec:
                          podTemplate:
                            spec:
                              containers:
                              - name: agent
                                image: agent:1
                        """
                                        .formatted(name, Labels.OWNER, owner),
                                Sandbox.class))
                .create();
        Awaitility.await()
                .atMost(WAIT)
                .until(() -> router.directory.find(namespace(), name) != null
                        && ready(router.directory.find(namespace(), name)));
        return podIp(name);
    }

    /** The idle policy's one write, then the Sandbox controller's part: the Pod gone, Ready False. */
    void suspendForIdle(String name) {
        asController(
                name,
                "{\"metadata\":{\"annotations\":{\"" + IdleAnnotations.SUSPENDED_BY + "\":\""
                        + IdleAnnotations.SUSPENDED_BY_IDLE + "\"}},\"spec\":{\"operatingMode\":\"Suspended\"}}");
        awaitSuspended(name);
    }

    /**
     * A merge patch by the test's client, standing for the controller or a user: without a resourceVersion, so it
     * does not race the Sandbox controller's own writes.
     */
    void asController(String name, String mergePatch) {
        client.resources(Sandbox.class)
                .inNamespace(namespace())
                .withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
    }

    void awaitSuspended(String name) {
        Awaitility.await()
                .atMost(WAIT)
                .until(() ->
                        client.pods().inNamespace(namespace()).withName(name).get() == null
                                && router.directory.find(namespace(), name).suspended()
                                && !ready(router.directory.find(namespace(), name)));
    }

    private static boolean ready(RoutedSandbox sandbox) {
        return sandbox.getStatus() != null
                && Conditions.isTrue(sandbox.getStatus().getConditions(), Conditions.READY);
    }

    Sandbox sandbox(String name) {
        return client.resources(Sandbox.class)
                .inNamespace(namespace())
                .withName(name)
                .get();
    }

    private String podIp(String name) {
        return sandbox(name).getStatus().getPodIPs().get(0);
    }

    private static Optional<Instant> activity(Sandbox sandbox) {
        return IdleAnnotations.activity(
                sandbox.getMetadata().getAnnotations() == null
                        ? null
                        : sandbox.getMetadata().getAnnotations().get(IdleAnnotations.LAST_ACTIVITY));
    }

    private HttpRequest.Builder request(String sandbox, String token) {
        return HttpRequest.newBuilder(URI.create(router.url("/chat")))
                .timeout(WAIT)
                .header("Authorization", "Bearer " + token)
                .header("X-Sandbox-ID", sandbox)
                .header("X-Sandbox-Namespace", namespace())
                .header("X-Sandbox-Port", Integer.toString(agent.actualPort()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"hello\"}"));
    }

    private HttpResponse<String> chat(String sandbox, String token) throws Exception {
        return send(request(sandbox, token));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
