package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The router's listener on its own: its head and keep-alive deadlines, with a trivial handler. */
class RouterServerTest {

    private final Vertx vertx = Vertx.vertx();
    private RouterServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private RouterServer start(Map<String, String> settings) throws Exception {
        server = RouterServer.start(
                vertx,
                RouterFixture.config(settings).listener(),
                (request, connection) -> request.response().end("ok"),
                2);
        return server;
    }

    /** Milliseconds until the server closes the socket (reads and discards what it sends), or -1 after 10 s. */
    private static long millisUntilClosed(Socket socket) throws IOException {
        long start = System.nanoTime();
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        try {
            while (in.read() != -1) {
                // discard the reply
            }
        } catch (java.net.SocketTimeoutException open) {
            return -1;
        } catch (IOException reset) {
            // closed with a reset: closed all the same
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /** What a client sends before going quiet, and the deadline that must close its connection. */
    static Stream<Arguments> quietClients() {
        return Stream.of(
                Arguments.of(
                        "half a request head", "sandbox.router.request-head-timeout", "GET / HTTP/1.1\r\nHost: x\r\n"),
                Arguments.of("nothing", "sandbox.router.request-head-timeout", ""),
                Arguments.of(
                        "a whole request, then nothing (kept alive)",
                        "sandbox.router.client-keep-alive-timeout",
                        "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("quietClients")
    void aQuietConnectionIsClosedAtItsDeadline(String sent, String deadline, String bytes) throws Exception {
        start(Map.of(deadline, "PT0.5S"));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(bytes.getBytes(StandardCharsets.US_ASCII));
            assertThat(millisUntilClosed(socket)).as(sent).isBetween(300L, 3000L);
        }
    }

    @Test
    void drainingLetsTheRequestInFlightFinishThenClosesItsConnection() throws Exception {
        RouterMetrics metrics = new RouterMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        server = RouterServer.start(
                vertx,
                RouterFixture.config(Map.of()).listener(),
                (request, connection) -> {
                    metrics.requestStarted();
                    vertx.setTimer(1000, t -> {
                        request.response().end("done");
                        metrics.requestFinished(200, 0);
                    });
                },
                2);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> metrics.httpInFlight() == 1);
            long start = System.nanoTime();

            boolean drained = server.drain(java.time.Duration.ofSeconds(5), metrics);

            assertThat(drained).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThan(500);
            // the answer arrives whole, then the connection is closed (readAllBytes returns only at the close)
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(reply).startsWith("HTTP/1.1 200").endsWith("done");
        }
    }

    @Test
    void drainingDoesNotWaitForRelayedWebSockets() throws Exception {
        // they stay open as long as their clients want; shutdown closes them with 1001 after the drain
        RouterMetrics metrics = new RouterMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        start(Map.of());
        metrics.webSocketOpened();
        long start = System.nanoTime();

        assertThat(server.drain(java.time.Duration.ofSeconds(5), metrics)).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
    }
}
