package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.IdleAnnotations;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Activity publishing (docs/router.md, "Idle sandboxes"): the {@code last-activity} annotation follows the requests,
 * open streams count while open, a sandbox is written at most once per interval and never moved back, and a router
 * that stops loses at most one interval. The interval is half a second here.
 */
class ActivityPublishingTest {

    static final Duration INTERVAL = Duration.ofMillis(500);
    static final Map<String, String> SETTINGS = Map.of(
            "sandbox.router.allow-unauthenticated", "true",
            "sandbox.router.activity-interval", "PT0.5S");
    static RouterFixture router;
    static Backends echo;
    static HttpServer slowStream;
    static final HttpClient http = RouterFixture.httpClient();

    @BeforeAll
    static void start() throws Exception {
        router = new RouterFixture(SETTINGS);
        echo = router.backends("127.0.0.6");
        // an SSE stream that sends an event every 200 ms for 3 s
        slowStream = router.vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.6").setPort(0))
                .requestHandler(request -> {
                    request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
                    long timer = router.vertx.setPeriodic(
                            200, id -> request.response().write("data: tick\n\n"));
                    router.vertx.setTimer(3000, id -> {
                        router.vertx.cancelTimer(timer);
                        request.response().end("data: done\n\n");
                    });
                })
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        router.close();
    }

    static HttpResponse<String> get(RouterFixture via, String sandbox, int port) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(via.url("/work")))
                        .timeout(Duration.ofSeconds(20))
                        .header("X-Sandbox-ID", sandbox)
                        .header("X-Sandbox-Namespace", "busy")
                        .header("X-Sandbox-Port", Integer.toString(port))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static Optional<Instant> published(String sandbox) {
        return IdleAnnotations.activity(
                router.current("busy", sandbox).getMetadata().getAnnotations().get(IdleAnnotations.LAST_ACTIVITY));
    }

    static List<String> activityWritesOf(String sandbox) {
        return router.sandboxWrites.stream()
                .filter(w -> w.contains("/namespaces/busy/sandboxes/" + sandbox + " "))
                .toList();
    }

    @Test
    void steadyTrafficIsPublishedAtMostOncePerIntervalAndAQuietSandboxNotAtAll() throws Exception {
        router.sandbox("busy", "steady", null, true, "127.0.0.6");
        router.sandbox("busy", "quiet", null, true, "127.0.0.6");
        long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3)) {
            assertThat(get(router, "steady", echo.port(0)).statusCode()).isEqualTo(200);
            Thread.sleep(20);
        }
        long last = router.sandboxes.activity().lastRequestMillis("busy/steady");
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> published("steady").map(Instant::toEpochMilli).orElse(0L) == last);

        // about 3 s / 0.5 s rounds, each at most one write, and none for the last round (nothing new)
        assertThat(activityWritesOf("steady")).hasSizeBetween(4, 8).allSatisfy(w -> assertThat(w)
                .contains(IdleAnnotations.LAST_ACTIVITY, "\"resourceVersion\"")
                .doesNotContain("operatingMode"));
        int written = activityWritesOf("steady").size();
        Thread.sleep(3 * INTERVAL.toMillis());
        assertThat(activityWritesOf("steady")).as("no traffic, no write").hasSize(written);
        assertThat(activityWritesOf("quiet")).isEmpty();
        assertThat(published("quiet")).isEmpty();
    }

    @Test
    void anOpenStreamCountsAsActivityForAsLongAsItIsOpen() throws Exception {
        router.sandbox("busy", "streaming", null, true, "127.0.0.6");
        Instant opened = Instant.now();
        CompletableFuture<HttpResponse<String>> stream = http.sendAsync(
                HttpRequest.newBuilder(URI.create(router.url("/events")))
                        .header("X-Sandbox-ID", "streaming")
                        .header("X-Sandbox-Namespace", "busy")
                        .header("X-Sandbox-Port", Integer.toString(slowStream.actualPort()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        // no request since it opened, and yet its activity moves on while it streams
        Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> published("streaming")
                .filter(at -> at.isAfter(opened.plusMillis(2000)))
                .isPresent());
        assertThat(stream).isNotDone();
        assertThat(router.sandboxes.activity().open("busy/streaming")).isEqualTo(1);
        assertThat(stream.get(10, TimeUnit.SECONDS).body()).endsWith("data: done\n\n");
        assertThat(router.sandboxes.activity().open("busy/streaming")).isZero();
    }

    @Test
    void twoRoutersNeverMoveTheActivityBack() throws Exception {
        router.sandbox("busy", "shared", null, true, "127.0.0.6");
        RoutedSandbox before = router.directory.find("busy", "shared");
        SandboxWrites writes = new SandboxWrites(router.client);
        Instant newer = Instant.parse("2026-12-05T06:01:02.345Z");
        Instant older = newer.minusSeconds(30);

        // one router publishes the newer time; the other still holds the Sandbox as it was before (a stale cache)
        assertThat(writes.publishActivity(before, newer).result()).isEqualTo(RouterMetrics.WriteResult.WRITTEN);
        SandboxWrites.Outcome late = writes.publishActivity(before, older);

        // its patch carried the old resourceVersion: refused, read again, and then nothing to write
        assertThat(late.result()).isEqualTo(RouterMetrics.WriteResult.SUPERSEDED);
        assertThat(published("shared")).contains(newer);
        // and a newer time still goes through after the conflict
        assertThat(writes.publishActivity(before, newer.plusMillis(1)).result())
                .isEqualTo(RouterMetrics.WriteResult.WRITTEN);
        assertThat(published("shared")).contains(newer.plusMillis(1));
    }

    @Test
    void aPublicationIsOnePatchAndNoRead() {
        router.sandbox("busy", "one-request", null, true, "127.0.0.6");
        RoutedSandbox cached = router.directory.find("busy", "one-request");
        int before = router.sandboxRequests.size();

        assertThat(new SandboxWrites(router.client)
                        .publishActivity(cached, Instant.now())
                        .result())
                .isEqualTo(RouterMetrics.WriteResult.WRITTEN);

        // the decision was made on the cached Sandbox, whose resourceVersion guards the patch: a read before it
        // would double the API requests of every publication
        assertThat(requestsOf(router, "busy", "one-request", before))
                .containsExactly("PATCH /apis/agents.x-k8s.io/v1beta1/namespaces/busy/sandboxes/one-request");
    }

    /** The requests on one Sandbox the API server received since the {@code from}-th request. */
    static List<String> requestsOf(RouterFixture fixture, String namespace, String sandbox, int from) {
        String path = "/namespaces/" + namespace + "/sandboxes/" + sandbox;
        return fixture.sandboxRequests.stream()
                .skip(from)
                .filter(r -> r.endsWith(path) || r.contains(path + "?"))
                .toList();
    }

    @Test
    void twoRoutersServingOneSandboxPublishTheNewestOfTheirTimes() throws Exception {
        router.sandbox("busy", "both", null, true, "127.0.0.6");
        try (RouterFixture second = new RouterFixture(SETTINGS, router.client)) {
            for (int i = 0; i < 20; i++) {
                assertThat(get(i % 2 == 0 ? router : second, "both", echo.port(0))
                                .statusCode())
                        .isEqualTo(200);
                Thread.sleep(100);
            }
            long last = Math.max(
                    router.sandboxes.activity().lastRequestMillis("busy/both"),
                    second.sandboxes.activity().lastRequestMillis("busy/both"));
            Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> published("both").map(Instant::toEpochMilli).orElse(0L) == last);
            Thread.sleep(3 * INTERVAL.toMillis());
            assertThat(published("both")).map(Instant::toEpochMilli).contains(last);
        }
    }

    @Test
    void aRouterThatStopsLosesAtMostOneIntervalOfActivity() throws Exception {
        router.sandbox("busy", "restart", null, true, "127.0.0.6");
        // killed: whatever came after its last round is lost, at most one interval
        RouterFixture killed = new RouterFixture(SETTINGS, router.client);
        long lastKilled = traffic(killed, "restart", Duration.ofSeconds(2));
        killed.stop(false);
        Instant afterKill = published("restart").orElseThrow();
        assertThat(afterKill.toEpochMilli())
                .isLessThanOrEqualTo(lastKilled)
                .isGreaterThanOrEqualTo(lastKilled - INTERVAL.toMillis() - 100);

        // stopped cleanly: it publishes what it has before it goes
        RouterFixture stopped = new RouterFixture(SETTINGS, router.client);
        long lastStopped = traffic(stopped, "restart", Duration.ofMillis(300));
        stopped.stop(true);
        assertThat(published("restart")).map(Instant::toEpochMilli).contains(lastStopped);

        // a router started afterwards knows nothing, and moves nothing back
        try (RouterFixture restarted = new RouterFixture(SETTINGS, router.client)) {
            Thread.sleep(3 * INTERVAL.toMillis());
            assertThat(published("restart")).map(Instant::toEpochMilli).contains(lastStopped);
        }
    }

    @Test
    void withTrackingOffNothingIsPublished() throws Exception {
        router.sandbox("busy", "untracked", null, true, "127.0.0.6");
        try (RouterFixture off = new RouterFixture(
                Map.of(
                        "sandbox.router.allow-unauthenticated", "true",
                        "sandbox.router.activity-interval", "PT0.5S",
                        "sandbox.router.activity-tracking", "false"),
                router.client)) {
            traffic(off, "untracked", Duration.ofSeconds(1));
            Thread.sleep(3 * INTERVAL.toMillis());
            assertThat(off.sandboxes.activity().lastRequestMillis("busy/untracked"))
                    .as("the last-request gauge still works")
                    .isPositive();
        }
        assertThat(published("untracked")).isEmpty();
        assertThat(activityWritesOf("untracked")).isEmpty();
    }

    /** Requests through {@code via} for {@code duration}; the time of the last one as the router saw it. */
    private static long traffic(RouterFixture via, String sandbox, Duration duration) throws Exception {
        long start = System.nanoTime();
        while (System.nanoTime() - start < duration.toNanos()) {
            assertThat(get(via, sandbox, echo.port(0)).statusCode()).isEqualTo(200);
            Thread.sleep(20);
        }
        return via.sandboxes.activity().lastRequestMillis("busy/" + sandbox);
    }
}
