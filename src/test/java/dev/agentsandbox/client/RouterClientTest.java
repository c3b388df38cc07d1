package dev.agentsandbox.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
