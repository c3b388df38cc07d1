package dev.agentsandbox.local.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** The offline demo model speaks the OpenAI chat-completions protocol and says what it is. */
class DemoModelTest {

    static final String REQUEST =
            """
            {"model":"offline-demo-model","messages":[
             {"role":"system","content":"You are alice's personal agent in a private sandbox. Begin every reply with \\"I am alice's agent.\\""},
             {"role":"user","content":"What is 2+2?"}]%s}""";

    @Test
    void answersAsTheOwnersAgentAndSaysItIsNoLanguageModel() throws Exception {
        try (DemoModel model = DemoModel.start(Clock.systemUTC())) {
            assertThat(model.baseUrl()).startsWith("http://127.0.0.1:");
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(model.baseUrl() + "/chat/completions"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(REQUEST.formatted("")))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree(r.body());
            String reply =
                    body.path("choices").get(0).path("message").path("content").asText();
            assertThat(reply)
                    .startsWith("I am alice's agent.")
                    .contains("offline demo model, not a language model")
                    .contains("What is 2+2?");
            assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        }
    }

    @Test
    void streamsServerSentEventsEndingWithDone() throws Exception {
        try (DemoModel model = DemoModel.start(Clock.systemUTC())) {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(model.baseUrl() + "/chat/completions"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(REQUEST.formatted(",\"stream\":true")))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
            StringBuilder text = new StringBuilder();
            for (String line : r.body().split("\n")) {
                if (line.startsWith("data: {")) {
                    text.append(new ObjectMapper()
                            .readTree(line.substring(6))
                            .path("choices")
                            .get(0)
                            .path("delta")
                            .path("content")
                            .asText(""));
                }
            }
            assertThat(text.toString()).startsWith("I am alice's agent.");
            assertThat(r.body().trim()).endsWith("data: [DONE]");
        }
    }
}
