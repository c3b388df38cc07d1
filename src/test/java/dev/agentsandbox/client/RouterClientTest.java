package dev.agentsandbox.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentsandbox.owner.ChatReply;
import dev.agentsandbox.owner.Owner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The router client against small loopback servers. */
class RouterClientTest {

    static final ReadySandbox ALICE =
            new ReadySandbox(new ClaimRef(new Owner("alice"), "demo", "alice-1", true, null), "alice-sb", "warm", 5L);

    private final List<HttpServer> answeringRouters = new ArrayList<>();

    @AfterEach
    void stopAnsweringRouters() {
        answeringRouters.forEach(r -> r.stop(0));
    }

    @Test
    void redirectsAreNotFollowedSoTheTokenStaysWithTheRouter() throws IOException {
        AtomicInteger elsewhereHits = new AtomicInteger();
        HttpServer elsewhere = server();
        elsewhere.createContext("/", exchange -> {
            elsewhereHits.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        HttpServer router = server();
        router.createContext("/", exchange -> {
            exchange.getResponseHeaders()
                    .add(
                            "Location",
                            "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/chat");
            exchange.sendResponseHeaders(307, -1);
            exchange.close();
        });
        try {
            RouterClient client = new RouterClient(
                    URI.create("http://127.0.0.1:" + router.getAddress().getPort()),
                    RouterTokens.shared("secret"),
                    Duration.ofSeconds(5),
                    RouterClient.AGENT_PORT);

            assertThatThrownBy(() -> client.chat(ALICE, "hi"))
                    .isInstanceOfSatisfying(RouterRejectedException.class, e -> assertThat(e.status())
                            .isEqualTo(307))
                    .hasMessageContaining("redirects are not followed");
            assertThat(elsewhereHits).hasValue(0);
        } finally {
            router.stop(0);
            elsewhere.stop(0);
        }
    }

    @Test
    void aGatewayErrorCarriesTheRoutersDetail() throws IOException {
        HttpServer router = server();
        router.createContext("/", exchange -> {
            byte[] body = "{\"detail\":\"cannot connect to sandbox\"}".getBytes();
            exchange.sendResponseHeaders(502, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        try {
            URI base = URI.create("http://127.0.0.1:" + router.getAddress().getPort() + "/");
            RouterClient client =
                    new RouterClient(base, RouterTokens.none(), Duration.ofSeconds(5), RouterClient.AGENT_PORT);

            assertThatThrownBy(() -> client.reset(ALICE))
                    .isInstanceOfSatisfying(RouterRejectedException.class, e -> assertThat(e.detail())
                            .isEqualTo("cannot connect to sandbox"))
                    .hasMessageContaining("answered 502 for /reset on sandbox demo/alice-sb");
        } finally {
            router.stop(0);
        }
    }

    /** The agent's /chat answer as it is on the wire (docs/api.md section 11.1), and one that leaves the owner out. */
    @Test
    void aChatAnswerIsReadAsTheOwnersReply() throws IOException {
        RouterClient client = answering(
                "{\"owner\":\"alice\",\"reply\":\"I am alice's agent. Hi.\",\"history_turns\":2,\"extra\":1}");
        ChatReply reply = client.chat(ALICE, "hi");
        assertThat(reply).isEqualTo(new ChatReply(new Owner("alice"), "I am alice's agent. Hi.", 2));
        assertThat(reply.answersAs(new Owner("alice"))).isTrue();
        assertThat(reply.answersAs(new Owner("bob"))).isFalse();

        assertThat(answering("{\"reply\":\"I am bob's agent.\"}").chat(ALICE, "hi"))
                .isEqualTo(new ChatReply(new Owner("alice"), "I am bob's agent.", 0));
    }

    @Test
    void aChatAnswerNamingNoValidOwnerIsAnError() throws IOException {
        RouterClient client = answering("{\"owner\":\"a b\",\"reply\":\"hi\",\"history_turns\":1}");
        assertThatThrownBy(() -> client.chat(ALICE, "hi"))
                .isInstanceOf(SandboxClientException.class)
                .hasMessageStartingWith("sandbox demo/alice-sb: the /chat answer names no valid owner (owner \"a b\"");
    }

    static final String CHAT_ANSWER = "{\"owner\":\"alice\",\"reply\":\"I am alice's agent.\",\"history_turns\":3}";
    static final String WAKING =
            "{\"detail\":\"Sandbox demo/alice-sb is waking up from an idle suspension; retry shortly.\","
                    + "\"state\":\"waking\"}";

    @Test
    void aSandboxStillWakingIsAskedAgainAfterRetryAfterAndTheChatSaysItResumed() throws IOException {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        RouterClient client = scripted(Duration.ofSeconds(10), exchange -> {
            arrivals.add(System.nanoTime());
            if (arrivals.size() == 1) {
                exchange.getResponseHeaders().add("Retry-After", "1");
                return answer(exchange, 503, WAKING);
            }
            return answer(exchange, 200, CHAT_ANSWER);
        });
        RecordingProgress progress = new RecordingProgress();

        ChatResult result = client.chat(ALICE, "hi", progress);

        assertThat(result.resumed()).isTrue();
        assertThat(result.reply().historyTurns()).isEqualTo(3);
        assertThat(arrivals).hasSize(2);
        assertThat(Duration.ofNanos(arrivals.get(1) - arrivals.get(0)))
                .as("asked again after Retry-After")
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(progress.events).containsExactly("waking alice-sb", "still waking alice-sb, again in 1 s");
    }

    @Test
    void anAnswerHeldForAWakeSaysTheChatResumedTheSandbox() throws IOException {
        RouterClient held = scripted(Duration.ofSeconds(5), exchange -> {
            exchange.getResponseHeaders().add("X-Sandbox-Woken", "true");
            return answer(exchange, 200, CHAT_ANSWER);
        });
        RecordingProgress progress = new RecordingProgress();

        assertThat(held.chat(ALICE, "hi", progress).resumed()).isTrue();
        assertThat(progress.events).containsExactly("waking alice-sb");

        RecordingProgress awake = new RecordingProgress();
        assertThat(answering(CHAT_ANSWER).chat(ALICE, "hi", awake).resumed()).isFalse();
        assertThat(awake.events).isEmpty();
    }

    @Test
    void aSandboxTheClaimShowsAsleepIsReportedWakingBeforeTheRequest() throws IOException {
        ReadySandbox asleep = new ReadySandbox(ALICE.claim(), "alice-sb", "warm", 5L, true);
        RecordingProgress progress = new RecordingProgress();
        RouterClient client = scripted(Duration.ofSeconds(5), exchange -> {
            progress.events.add("request");
            exchange.getResponseHeaders().add("X-Sandbox-Woken", "true");
            return answer(exchange, 200, CHAT_ANSWER);
        });

        assertThat(client.chat(asleep, "hi", progress).resumed()).isTrue();
        assertThat(progress.events).containsExactly("waking alice-sb", "request");
    }

    @Test
    void aSandboxAUserSuspendedIsAClearErrorAndNotAskedAgain() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        RouterClient client = scripted(Duration.ofSeconds(5), exchange -> {
            requests.incrementAndGet();
            return answer(
                    exchange,
                    409,
                    "{\"detail\":\"Sandbox demo/alice-sb was suspended by a user, not for being idle; the router "
                            + "does not wake it.\",\"state\":\"suspended\"}");
        });

        assertThatThrownBy(() -> client.chat(ALICE, "hi"))
                .isInstanceOfSatisfying(SandboxSuspendedException.class, e -> assertThat(ExitCode.of(e))
                        .isEqualTo(ExitCode.CLAIM))
                .hasMessageStartingWith("sandbox demo/alice-sb of owner alice was suspended by a user, not for "
                        + "being idle, so it is not woken (the router answered 409: Sandbox demo/alice-sb was ")
                .hasMessageEndingWith("set its spec.operatingMode to Running to resume it");
        assertThat(requests).hasValue(1);
    }

    @Test
    void aWakeLongerThanTheClientsTimeoutEndsInAWakeTimeout() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        RouterClient client = scripted(Duration.ofMillis(2500), exchange -> {
            requests.incrementAndGet();
            exchange.getResponseHeaders().add("Retry-After", "1");
            return answer(exchange, 503, WAKING);
        });
        RecordingProgress progress = new RecordingProgress();

        assertThatThrownBy(() -> client.chat(ALICE, "hi", progress))
                .isInstanceOfSatisfying(SandboxWakeTimeoutException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(ExitCode.of(e)).isEqualTo(ExitCode.CLAIM);
                })
                .hasMessageStartingWith("sandbox demo/alice-sb of owner alice is still waking from an idle "
                        + "suspension after 2 s (503 Sandbox demo/alice-sb is waking up");
        assertThat(requests).hasValue(3);
        assertThat(progress.events).startsWith("waking alice-sb").hasSize(3);
    }

    @Test
    void a503ThatIsNotAWakeIsAnErrorAtOnce() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        RouterClient client = scripted(Duration.ofSeconds(5), exchange -> {
            requests.incrementAndGet();
            exchange.getResponseHeaders().add("Retry-After", "1");
            return answer(exchange, 503, "{\"detail\":\"Sandbox demo/alice-sb is not ready.\"}");
        });

        assertThatThrownBy(() -> client.chat(ALICE, "hi"))
                .isExactlyInstanceOf(RouterRejectedException.class)
                .hasMessageContaining(
                        "answered 503 for /chat on sandbox demo/alice-sb: Sandbox demo/alice-sb is not " + "ready.");
        assertThat(requests).hasValue(1);
    }

    /** Progress events as short strings, in order. */
    static final class RecordingProgress implements ClaimProgress {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void waking(ReadySandbox sandbox) {
            events.add("waking " + sandbox.sandbox());
        }

        @Override
        public void stillWaking(ReadySandbox sandbox, Duration retryIn) {
            events.add("still waking " + sandbox.sandbox() + ", again in " + retryIn.toSeconds() + " s");
        }
    }

    /** How a scripted router answers one request. */
    interface Script {
        Void answer(HttpExchange exchange) throws IOException;
    }

    /** A client with {@code timeout} of a router that answers each request as {@code script} says. */
    private RouterClient scripted(Duration timeout, Script script) throws IOException {
        HttpServer router = server();
        answeringRouters.add(router);
        router.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                script.answer(exchange);
            }
        });
        return new RouterClient(
                URI.create("http://127.0.0.1:" + router.getAddress().getPort()),
                RouterTokens.none(),
                timeout,
                RouterClient.AGENT_PORT);
    }

    private static Void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        return null;
    }

    /** A client of a router that answers every request with {@code json}; the router stops after the test. */
    private RouterClient answering(String json) throws IOException {
        HttpServer router = server();
        answeringRouters.add(router);
        router.createContext("/", exchange -> {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        return new RouterClient(
                URI.create("http://127.0.0.1:" + router.getAddress().getPort()),
                RouterTokens.none(),
                Duration.ofSeconds(5),
                RouterClient.AGENT_PORT);
    }

    static HttpServer server() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
        return server;
    }
}
