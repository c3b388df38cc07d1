package dev.agentsandbox.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.agentsandbox.owner.Owner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The router client against small loopback servers. */
class RouterClientTest {

    static final ReadySandbox ALICE =
            new ReadySandbox(new ClaimRef(new Owner("alice"), "demo", "alice-1", true, null), "alice-sb", "warm", 5L);

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

    static HttpServer server() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
        return server;
    }
}
