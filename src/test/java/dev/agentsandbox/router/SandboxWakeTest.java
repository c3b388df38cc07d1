package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wake on request (docs/router.md, "Idle sandboxes"): the test plays the controller, suspending Sandboxes as the idle
 * policy does and reporting them Ready when told to run again; the router holds requests in between. The mock API
 * server records the router's patches, so the tests count its writes.
 */
class SandboxWakeTest {

    static RouterFixture router;
    static Backends echo;
    static String aliceToken;
    static String bobToken;
    static final HttpClient http = RouterFixture.httpClient();

    @BeforeAll
    static void start() throws Exception {
        router = new RouterFixture(Map.of(
                "sandbox.router.owner-tokens.enabled", "true",
                // nothing published during these tests: the writes counted are the wakes
                "sandbox.router.activity-interval", "PT1H"));
        echo = router.backends("127.0.0.5");
        Map<String, String> tokens = router.ownerTokens("alice", "bob");
        aliceToken = tokens.get("alice");
        bobToken = tokens.get("bob");
    }

    @AfterAll
    static void stop() {
        router.close();
    }

    static HttpRequest.Builder chat(String sandbox, String token) {
        return HttpRequest.newBuilder(URI.create(router.url("/chat")))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("X-Sandbox-ID", sandbox)
                .header("X-Sandbox-Namespace", "idle")
                .header("X-Sandbox-Port", Integer.toString(echo.port(0)))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"hello\"}"));
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The router's patches of one Sandbox so far. */
    static List<String> writesOf(String sandbox) {
        return router.sandboxWrites.stream()
                .filter(w -> w.contains("/namespaces/idle/sandboxes/" + sandbox + " "))
                .toList();
    }

    @Test
    void aWakeIsOnePatchAndNoRead() {
        router.sandbox("idle", "wake-request", "alice", true, "127.0.0.5");
        router.suspend("idle", "wake-request", true);
        RoutedSandbox cached = router.directory.find("idle", "wake-request");
        int before = router.sandboxRequests.size();

        assertThat(new SandboxWrites(router.client).wake(cached, Instant.now()).result())
                .isEqualTo(RouterMetrics.WriteResult.WRITTEN);

        // on the held requests' path: a read before the patch would add a round trip to every wake
        assertThat(ActivityPublishingTest.requestsOf(router, "idle", "wake-request", before))
                .containsExactly("PATCH /apis/agents.x-k8s.io/v1beta1/namespaces/idle/sandboxes/wake-request");
    }

    static boolean running(String sandbox) {
        Sandbox current = router.current("idle", sandbox);
        return current.getSpec().getOperatingMode() == OperatingMode.RUNNING;
    }

    @Test
    void aRequestWakesAnIdleSandboxWithOneWriteAndIsAnsweredOnceItIsReady() throws Exception {
        router.sandbox("idle", "wake-one", "alice", true, "127.0.0.5");
        router.suspend("idle", "wake-one", true);
        Instant before = Instant.now().minusMillis(1);

        CompletableFuture<HttpResponse<String>> answer =
                http.sendAsync(chat("wake-one", aliceToken).build(), HttpResponse.BodyHandlers.ofString());

        // the wake: one merge patch with operatingMode Running and a fresh last-activity, under a resourceVersion
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> running("wake-one"));
        Sandbox woken = router.current("idle", "wake-one");
        Instant activity = IdleAnnotations.activity(
                        woken.getMetadata().getAnnotations().get(IdleAnnotations.LAST_ACTIVITY))
                .orElseThrow();
        assertThat(activity).isAfter(before);
        assertThat(writesOf("wake-one")).singleElement().satisfies(w -> assertThat(w)
                .contains("\"operatingMode\":\"Running\"", IdleAnnotations.LAST_ACTIVITY, "\"resourceVersion\""));
        // held, not refused, while the Pod starts
        Thread.sleep(300);
        assertThat(answer).isNotDone();

        router.resumed("idle", "wake-one", "127.0.0.5");
        HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getString("body")).isEqualTo("{\"prompt\":\"hello\"}");
        assertThat(new JsonObject(response.body()).getJsonObject("headers").getString("x-owner"))
                .isEqualTo("alice");
        assertThat(response.headers().firstValue("X-Sandbox-Woken"))
                .as("held for the wake: the client is told")
                .contains("true");
        assertThat(writesOf("wake-one")).hasSize(1);
        HttpResponse<String> awake = send(chat("wake-one", aliceToken));
        assertThat(awake.statusCode()).isEqualTo(200);
        assertThat(awake.headers().firstValue("X-Sandbox-Woken")).as("not held").isEmpty();
        assertThat(router.registry
                        .get("sandbox.router.wakes")
                        .tag("result", "written")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void twentyConcurrentRequestsMakeOneWakeAndAreAllAnswered() throws Exception {
        router.sandbox("idle", "wake-many", "alice", true, "127.0.0.5");
        router.suspend("idle", "wake-many", true);

        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(http.sendAsync(chat("wake-many", aliceToken).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> running("wake-many"));
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> router.sandboxes.wakes().waiting() == 20);
        router.resumed("idle", "wake-many", "127.0.0.5");

        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
        assertThat(writesOf("wake-many")).as("writes of the 20 requests").hasSize(1);
        assertThat(router.sandboxes.wakes().waiting()).isZero();
    }

    @Test
    void aSandboxAUserSuspendedIsNotWokenAndGets409() throws Exception {
        router.sandbox("idle", "user-paused", "alice", true, "127.0.0.5");
        router.suspend("idle", "user-paused", false);

        HttpResponse<String> response = send(chat("user-paused", aliceToken));

        assertThat(response.statusCode()).isEqualTo(409);
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("state")).isEqualTo("suspended");
        assertThat(body.getString("detail"))
                .contains("idle/user-paused", "suspended by a user", "does not wake it", "operatingMode");
        assertThat(writesOf("user-paused")).isEmpty();
        assertThat(running("user-paused")).isFalse();
    }

    @Test
    void anotherOwnersTokenGets403AndWakesNothing() throws Exception {
        router.sandbox("idle", "alices", "alice", true, "127.0.0.5");
        router.suspend("idle", "alices", true);

        HttpResponse<String> response = send(chat("alices", bobToken));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).doesNotContain("waking", "suspend");
        Thread.sleep(300);
        assertThat(writesOf("alices")).isEmpty();
        assertThat(running("alices")).isFalse();
        assertThat(router.sandboxes.activity().lastRequestMillis("idle/alices"))
                .as("a refused request is no activity")
                .isZero();
    }

    @Test
    void xSandboxWakeFalseGets503AtOnceAndWakesNothing() throws Exception {
        router.sandbox("idle", "no-wake", "alice", true, "127.0.0.5");
        router.suspend("idle", "no-wake", true);

        long start = System.nanoTime();
        HttpResponse<String> response = send(chat("no-wake", aliceToken).header("X-Sandbox-Wake", "false"));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).contains("2");
        assertThat(new JsonObject(response.body()).getString("state")).isEqualTo("waking");
        assertThat(writesOf("no-wake")).isEmpty();
        assertThat(running("no-wake")).isFalse();

        assertThat(send(chat("no-wake", aliceToken).header("X-Sandbox-Wake", "maybe"))
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void aWakeThatOutlastsTheRequestsTimeoutGets503WithRetryAfterAndTheSandboxKeepsWaking() throws Exception {
        router.sandbox("idle", "slow-wake", "alice", true, "127.0.0.5");
        router.suspend("idle", "slow-wake", true);

        long start = System.nanoTime();
        HttpResponse<String> response = send(chat("slow-wake", aliceToken).header("X-Sandbox-Timeout", "1"));

        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).contains("2");
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("state")).isEqualTo("waking");
        assertThat(body.getString("detail")).contains("idle/slow-wake", "waking up");
        assertThat(running("slow-wake")).as("woken all the same").isTrue();

        // the retry while the Pod still starts waits without a second write, and is answered once it is Ready
        CompletableFuture<HttpResponse<String>> retry =
                http.sendAsync(chat("slow-wake", aliceToken).build(), HttpResponse.BodyHandlers.ofString());
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> router.sandboxes.wakes().waiting() == 1);
        router.resumed("idle", "slow-wake", "127.0.0.5");
        assertThat(retry.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(writesOf("slow-wake")).hasSize(1);
    }

    @Test
    void aClientThatLeavesWhileHeldIsLetGo() throws Exception {
        router.sandbox("idle", "left", "alice", true, "127.0.0.5");
        router.suspend("idle", "left", true);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", router.port)) {
            socket.getOutputStream()
                    .write(("GET /chat HTTP/1.1\r\nHost: r\r\nAuthorization: Bearer " + aliceToken
                                    + "\r\nX-Sandbox-ID: left\r\nX-Sandbox-Namespace: idle\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> router.sandboxes.wakes().waiting() == 1);
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> router.sandboxes.wakes().waiting() == 0);
        assertThat(router.registry
                        .get("sandbox.router.wake.wait")
                        .tag("outcome", "abandoned")
                        .timer()
                        .count())
                .isGreaterThanOrEqualTo(1);
    }
}
