package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The router in open mode, as upstream's example {@code router.yaml} runs it ({@code ALLOW_UNAUTHENTICATED_ROUTER=true},
 * no token) and limited to the example's namespace: a client sending {@code X-Sandbox-ID} and {@code X-Owner} and no
 * token reaches the sandbox; the agent is told the sandbox's own owner when it has one, else the client's.
 */
class OpenRouterTest {

    static final String DEMO = "sandbox-agent-demo";
    static RouterFixture router;
    static Backends agent;
    static final HttpClient http = RouterFixture.httpClient();

    @BeforeAll
    static void start() throws Exception {
        router = new RouterFixture(
                Map.of("sandbox.router.allow-unauthenticated", "true", "sandbox.router.namespaces", DEMO));
        agent = router.backends("127.0.0.2");
        router.sandbox(DEMO, "unowned", null, true, "127.0.0.2");
        router.sandbox(DEMO, "alices", "alice", true, "127.0.0.2");
    }

    @AfterAll
    static void stop() {
        router.close();
    }

    /** A chat as upstream's example client sends it: routing headers and X-Owner, no Authorization. */
    static HttpResponse<String> chat(String namespace, String sandbox, String owner) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(router.url("/chat")))
                .timeout(Duration.ofSeconds(20))
                .header("X-Sandbox-ID", sandbox)
                .header("X-Sandbox-Namespace", namespace)
                .header("X-Sandbox-Port", Integer.toString(agent.port(0)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Who are you?\"}"));
        if (owner != null) {
            request.header("X-Owner", owner);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject headersSeenByTheAgent(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body()).getJsonObject("headers");
    }

    @Test
    void aSandboxWithoutAnOwnerLabelGetsTheClientsOwner() throws Exception {
        JsonObject headers = headersSeenByTheAgent(chat(DEMO, "unowned", "carol"));
        assertThat(headers.getString("x-owner")).isEqualTo("carol");
        assertThat(headers.fieldNames()).doesNotContain("authorization");
    }

    @Test
    void aSandboxWithAnOwnerLabelGetsItsOwnOwnerWhateverTheClientSays() throws Exception {
        assertThat(headersSeenByTheAgent(chat(DEMO, "alices", "mallory")).getString("x-owner"))
                .isEqualTo("alice");
        assertThat(headersSeenByTheAgent(chat(DEMO, "alices", null)).getString("x-owner"))
                .isEqualTo("alice");
    }

    @Test
    void withoutXOwnerTheAgentIsToldNoOwner() throws Exception {
        // the agent then answers as "anonymous" (docs/api.md section 11)
        assertThat(headersSeenByTheAgent(chat(DEMO, "unowned", null)).fieldNames())
                .doesNotContain("x-owner");
    }

    @Test
    void aNamespaceTheRouterDoesNotServeIsRefusedEvenOpen() throws Exception {
        HttpResponse<String> response = chat("elsewhere", "unowned", "carol");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(response.body()).getString("detail"))
                .isEqualTo("Namespace elsewhere is not served by this router.");
    }
}
