package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The router's connections to sandboxes: keep-alive reuse, the limit per sandbox and the wait for a free
 * connection, the keep-alive expiry, and a request lost by a connection the sandbox closed as idle. The router
 * runs with one connection per sandbox, a 1 s keep-alive and a 700 ms connect timeout so each rule shows quickly;
 * every test has its own loopback address.
 */
class UpstreamPoolTest {

    static final String TOKEN = "pool-test-token";
    static RouterFixture router;
    static final HttpClient http = RouterFixture.httpClient();

    @BeforeAll
    static void start() throws Exception {
        router = new RouterFixture(Map.of(
                "sandbox.router.auth-token", TOKEN,
                "sandbox.router.max-connections-per-sandbox", "1",
                "sandbox.router.keep-alive", "PT1S",
                "sandbox.router.connect-timeout", "PT0.7S"));
    }

    @AfterAll
    static void stop() {
        router.close();
    }

    static HttpResponse<String> get(String sandbox, int port, String path) throws Exception {
        return send(sandbox, port, "GET", path, HttpRequest.BodyPublishers.noBody());
    }

    static HttpResponse<String> send(
            String sandbox, int port, String method, String path, HttpRequest.BodyPublisher body) throws Exception {
        return http.send(request(sandbox, port, method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest request(String sandbox, int port, String method, String path, HttpRequest.BodyPublisher body) {
        return HttpRequest.newBuilder(URI.create(router.url(path)))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + TOKEN)
                .header("X-Sandbox-ID", sandbox)
                .header("X-Sandbox-Port", Integer.toString(port))
                .method(method, body)
                .build();
    }

    /**
     * A sandbox speaking raw HTTP/1.1 on {@code host}: {@code answer} gets each connection's socket and the number of
     * the request on it (1 for the first); connections accepted and closed are counted.
     */
    record RawSandbox(NetServer server, AtomicInteger accepted, AtomicInteger closed) {
        static RawSandbox start(String host, BiConsumer<NetSocket, Integer> answer) throws Exception {
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger closed = new AtomicInteger();
            NetServer server = router.vertx
                    .createNetServer()
                    .connectHandler(socket -> {
                        accepted.incrementAndGet();
                        AtomicInteger requests = new AtomicInteger();
                        socket.closeHandler(v -> closed.incrementAndGet());
                        socket.handler(data -> {
                            // each test request is small and bodyless: one read, one request
                            if (data.toString().contains(" HTTP/1.1\r\n")) {
                                answer.accept(socket, requests.incrementAndGet());
                            }
                        });
                    })
                    .listen(0, host)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            return new RawSandbox(server, accepted, closed);
        }

        int port() {
            return server.actualPort();
        }
    }

    static int upstreamConnections() {
        return (int) router.registry
                .get("sandbox.router.upstream.connections")
                .gauge()
                .value();
    }

    static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    @Test
    void requestsReuseOneKeepAliveConnectionAndNameTheSandboxAsHost() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        ConcurrentLinkedQueue<String> hosts = new ConcurrentLinkedQueue<>();
        HttpServer sandbox = router.vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.20").setPort(0))
                .connectionHandler(c -> connections.incrementAndGet())
                .requestHandler(request -> {
                    hosts.add(request.getHeader("Host"));
                    request.response().end("hi");
                })
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        router.sandbox("default", "reuse", null, true, "127.0.0.20");
        for (int i = 0; i < 5; i++) {
            assertThat(get("reuse", sandbox.actualPort(), "/" + i).body()).isEqualTo("hi");
        }
        assertThat(connections.get()).isEqualTo(1);
        assertThat(hosts).hasSize(5).containsOnly("127.0.0.20:" + sandbox.actualPort());
        sandbox.close();
    }

    @Test
    void anIdempotentRequestLostToAConnectionClosedAsIdleIsSentAgainOnANewOne() throws Exception {
        // Answers the first request on each connection, then closes the connection when the next one arrives,
        // without answering: what a sandbox does that closes idle connections just as the router reuses one.
        RawSandbox sandbox = RawSandbox.start("127.0.0.21", (socket, n) -> {
            if (n == 1) {
                socket.write(OK);
            } else {
                socket.close();
            }
        });
        router.sandbox("default", "closes-idle", null, true, "127.0.0.21");
        assertThat(get("closes-idle", sandbox.port(), "/first").statusCode()).isEqualTo(200);
        HttpResponse<String> second = get("closes-idle", sandbox.port(), "/second");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("ok");
        assertThat(sandbox.accepted().get()).isEqualTo(2);

        // Not a POST with a body: the sandbox may have acted on it, so the client is told (502) instead.
        HttpResponse<String> post =
                send("closes-idle", sandbox.port(), "POST", "/third", HttpRequest.BodyPublishers.ofString("x"));
        assertThat(post.statusCode()).isEqualTo(502);
        assertThat(new JsonObject(post.body()).getString("detail"))
                .isEqualTo("Sandbox default/closes-idle closed the connection before answering.");
        assertThat(sandbox.accepted().get()).isEqualTo(2);
        sandbox.server().close();
    }

    @Test
    void requestsBeyondTheLimitWaitForTheConnectionAndAre503WhenItStaysBusy() throws Exception {
        // 300 ms per answer: three requests at once share the one allowed connection, in turn.
        RawSandbox sandbox =
                RawSandbox.start("127.0.0.22", (socket, n) -> router.vertx.setTimer(300, t -> socket.write(OK)));
        router.sandbox("default", "one-at-a-time", null, true, "127.0.0.22");
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            calls.add(http.sendAsync(
                    request("one-at-a-time", sandbox.port(), "GET", "/" + i, HttpRequest.BodyPublishers.noBody()),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            assertThat(call.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(sandbox.accepted().get()).isEqualTo(1);

        // 2 s per answer: the second request waits longer than the connect timeout (0.7 s) for the connection.
        RawSandbox slow =
                RawSandbox.start("127.0.0.23", (socket, n) -> router.vertx.setTimer(2000, t -> socket.write(OK)));
        router.sandbox("default", "busy", null, true, "127.0.0.23");
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(
                request("busy", slow.port(), "GET", "/first", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.ofString());
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> slow.accepted().get() == 1);
        HttpResponse<String> second = get("busy", slow.port(), "/second");
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.headers().firstValue("Retry-After")).contains("2");
        assertThat(new JsonObject(second.body()).getString("detail"))
                .isEqualTo("Sandbox default/busy has 1 requests in flight, the router's limit per sandbox, and none "
                        + "finished within 0.7 s.");
        assertThat(first.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(router.registry
                        .get("sandbox.router.upstream.errors")
                        .tag("kind", "busy")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        sandbox.server().close();
        slow.server().close();
    }

    @Test
    void anIdleConnectionIsClosedAfterTheKeepAlive() throws Exception {
        RawSandbox sandbox = RawSandbox.start("127.0.0.24", (socket, n) -> socket.write(OK));
        router.sandbox("default", "idle", null, true, "127.0.0.24");
        assertThat(get("idle", sandbox.port(), "/").statusCode()).isEqualTo(200);
        assertThat(sandbox.closed().get()).isZero();
        // keep-alive 1 s, checked every second: closed within about 2 s of the answer
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> sandbox.closed().get() == 1);
        // the gauge of open connections to sandboxes follows (other tests' idle connections close the same way)
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> upstreamConnections() == 0);
        assertThat(get("idle", sandbox.port(), "/again").statusCode()).isEqualTo(200);
        assertThat(upstreamConnections()).isEqualTo(1);
        assertThat(sandbox.accepted().get()).isEqualTo(2);
        sandbox.server().close();
    }

    @Test
    void aSandboxThatDoesNotSpeakHttpIs502() throws Exception {
        RawSandbox sandbox = RawSandbox.start("127.0.0.25", (socket, n) -> socket.write("SSH-2.0-OpenSSH_9.2\r\n\r\n"));
        router.sandbox("default", "not-http", null, true, "127.0.0.25");
        HttpResponse<String> response = get("not-http", sandbox.port(), "/");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(new JsonObject(response.body()).getString("detail"))
                .isEqualTo("Sandbox default/not-http did not answer with valid HTTP.");
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> sandbox.closed().get() == 1);
        sandbox.server().close();
    }

    @Test
    void interimResponsesAreNotPassedOnAndTheFinalOneIs() throws Exception {
        RawSandbox sandbox = RawSandbox.start(
                "127.0.0.26",
                (socket, n) -> socket.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
                        + "Link: </style.css>; rel=preload\r\n\r\n" + OK));
        router.sandbox("default", "interim", null, true, "127.0.0.26");
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> response = get("interim", sandbox.port(), "/" + i);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("ok");
        }
        assertThat(sandbox.accepted().get()).isEqualTo(1);
        sandbox.server().close();
    }

    @Test
    void anAnswerToHeadHasNoBodyWhateverItsLengthAndTheConnectionStaysInUse() throws Exception {
        RawSandbox sandbox = RawSandbox.start("127.0.0.27", (socket, n) -> {
            if (n == 1) {
                socket.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\n");
            } else {
                socket.write(OK);
            }
        });
        router.sandbox("default", "head", null, true, "127.0.0.27");
        HttpResponse<String> head = send("head", sandbox.port(), "HEAD", "/", HttpRequest.BodyPublishers.noBody());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).contains("1000");
        HttpResponse<String> after = get("head", sandbox.port(), "/after");
        assertThat(after.body()).isEqualTo("ok");
        assertThat(sandbox.accepted().get()).isEqualTo(1);
        sandbox.server().close();
    }

    @Test
    void aConnectionTheSandboxClosesAfterItsAnswerIsNotReused() throws Exception {
        RawSandbox sandbox = RawSandbox.start("127.0.0.28", (socket, n) -> socket.write(
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                .onComplete(v -> socket.close()));
        router.sandbox("default", "closes", null, true, "127.0.0.28");
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response =
                    send("closes", sandbox.port(), "POST", "/" + i, HttpRequest.BodyPublishers.ofString("body"));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("ok");
            // not passed on: Connection is hop-by-hop
            assertThat(response.headers().firstValue("Connection")).isEmpty();
        }
        assertThat(sandbox.accepted().get()).isEqualTo(3);
        sandbox.server().close();
    }

    @Test
    void aClientThatReadsSlowlyHoldsTheSandboxBackAndTheConnectionIsReusedAfterwards() throws Exception {
        int chunk = 64 * 1024;
        int chunks = 768; // 48 MiB: more than the socket buffers between the sandbox and a stalled client hold
        AtomicInteger sandboxWaited = new AtomicInteger();
        AtomicInteger connections = new AtomicInteger();
        io.vertx.core.buffer.Buffer piece = io.vertx.core.buffer.Buffer.buffer(new byte[chunk]);
        HttpServer sandbox = router.vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.29").setPort(0))
                .connectionHandler(c -> connections.incrementAndGet())
                .requestHandler(request -> {
                    if (request.path().equals("/small")) {
                        request.response().end("ok");
                        return;
                    }
                    io.vertx.core.http.HttpServerResponse response =
                            request.response().putHeader("Content-Length", Long.toString((long) chunk * chunks));
                    new Object() {
                        int sent;

                        void pump() {
                            while (sent < chunks) {
                                response.write(piece);
                                sent++;
                                if (response.writeQueueFull()) {
                                    // the router stopped reading because its client stopped: wait for it
                                    sandboxWaited.incrementAndGet();
                                    response.drainHandler(v -> pump());
                                    return;
                                }
                            }
                            response.end();
                        }
                    }.pump();
                })
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        router.sandbox("default", "bulk", null, true, "127.0.0.29");
        HttpResponse<java.io.InputStream> response = http.send(
                request("bulk", sandbox.actualPort(), "GET", "/bulk", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.ofInputStream());
        Thread.sleep(1000); // a client that does not read for a while
        int waitedWhileStalled = sandboxWaited.get();
        long total = 0;
        try (java.io.InputStream body = response.body()) {
            byte[] buffer = new byte[chunk];
            int n;
            while ((n = body.read(buffer)) > 0) {
                total += n;
            }
        }
        assertThat(total).isEqualTo((long) chunk * chunks);
        assertThat(waitedWhileStalled)
                .as("the sandbox had to wait while the client did not read")
                .isPositive();
        // the connection went back to the pool reading again: the next request on it is answered
        assertThat(get("bulk", sandbox.actualPort(), "/small").body()).isEqualTo("ok");
        assertThat(connections.get()).isEqualTo(1);
        sandbox.close();
    }
}
