package dev.agentsandbox.reliability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.agent.AgentRoleProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The agent role against the fake model: chats that succeed, fail (the model answers 500) and time out, with every
 * log record captured; the model API key must appear in none of them.
 */
@QuarkusTest
@TestProfile(AgentRoleProfile.class)
class AgentLogSecretsTest {

    @Test
    void theModelApiKeyNeverReachesTheLogs() {
        String apiKey = ConfigProvider.getConfig().getValue("quarkus.langchain4j.openai.api-key", String.class);
        assertThat(apiKey).isNotBlank().isNotEqualTo("not-configured");
        try (LogCapture logs = LogCapture.start()) {
            for (String prompt : List.of("hello", "[fail] boom", "[slow] wait", "again")) {
                given().header("X-Owner", "olivia")
                        .contentType(ContentType.JSON)
                        .body(Map.of("prompt", prompt))
                        .post("/chat")
                        .then()
                        .statusCode(org.hamcrest.Matchers.oneOf(200, 502, 504));
            }
            List<String> leaked = logs.linesContaining(List.of(apiKey));
            System.out.printf(
                    "RELIABILITY agent-logs lines=%d leakedApiKey=%d%n",
                    logs.lines().size(), leaked.size());
            assertThat(logs.lines()).as("the failing chats were logged at all").isNotEmpty();
            assertThat(leaked).isEmpty();
        }
    }
}
