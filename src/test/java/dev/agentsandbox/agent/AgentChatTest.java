package dev.agentsandbox.agent;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.owner.Owner;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The agent role end to end: real HTTP in front, a real OpenAI-speaking model server behind. */
@QuarkusTest
@TestProfile(AgentRoleProfile.class)
class AgentChatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void healthz() {
        given().get("/healthz").then().statusCode(200).body("ok", equalTo(true));
    }

    @Test
    void firstChatAnswersAsTheOwnerWithTheSystemPromptAndModel() {
        chat("alice", "hello there")
                .statusCode(200)
                .body("owner", equalTo("alice"))
                .body("reply", startsWith("I am alice's agent."))
                .body("history_turns", equalTo(1));

        FakeOpenAi.Recorded request = last("alice");
        assertThat(request.model()).isEqualTo(FakeOpenAiResource.MODEL);
        assertThat(request.authorization()).isEqualTo("Bearer " + FakeOpenAiResource.API_KEY);
        assertThat(request.systemPrompt())
                .contains("alice's personal agent", "private sandbox", "\"I am alice's agent.\"", "three sentences")
                .contains("Never claim to be the agent of anyone other than alice");
        assertThat(request.history()).isEmpty();
        assertThat(request.prompt()).isEqualTo("hello there");
    }

    @Test
    void anonymousWithoutHeader() {
        given().contentType(ContentType.JSON)
                .body(Map.of("prompt", "who am I talking to?"))
                .post("/chat")
                .then()
                .statusCode(200)
                .body("owner", equalTo("anonymous"))
                .body("reply", startsWith("I am anonymous's agent."));
    }

    @Test
    void historyIsSentInOrderAndOwnersAreIsolated() {
        String first = reply(chat("carol", "my secret is 42"));
        chat("dave", "hi, I am dave").statusCode(200).body("history_turns", equalTo(1));
        String second = reply(chat("carol", "second question"));
        chat("carol", "what is my secret?").statusCode(200).body("history_turns", equalTo(3));

        assertThat(last("carol").history())
                .containsExactly(new Turn("my secret is 42", first), new Turn("second question", second));
        for (FakeOpenAi.Recorded request : FakeOpenAiResource.model.requestsOf("dave")) {
            assertThat(request.messages())
                    .noneMatch(m -> m.content().contains("carol") || m.content().contains("42"));
            assertThat(request.history()).isEmpty();
        }
        assertThat(FakeOpenAiResource.model.requestsOf("carol")).allSatisfy(r -> assertThat(r.messages())
                .noneMatch(m -> m.content().contains("dave")));
    }

    @Test
    void historyIsCappedAtTwentyPairs() {
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 22; i++) {
            ValidatableResponse response =
                    chat("erin", "message " + i).statusCode(200).body("history_turns", equalTo(Math.min(i + 1, 20)));
            replies.add(reply(response));
        }
        List<Turn> sent = last("erin").history();
        assertThat(sent).hasSize(20);
        assertThat(sent.get(0)).isEqualTo(new Turn("message 1", replies.get(1)));
        assertThat(sent.get(19)).isEqualTo(new Turn("message 20", replies.get(20)));
    }

    @Test
    void resetForgetsOnlyThatOwner() {
        chat("frank", "remember me").statusCode(200);
        chat("frank", "still there?").statusCode(200).body("history_turns", equalTo(2));
        chat("grace", "unrelated").statusCode(200);

        given().header("X-Owner", "frank")
                .post("/reset")
                .then()
                .statusCode(200)
                .body("owner", equalTo("frank"))
                .body("reset", equalTo(true));

        chat("frank", "fresh start").statusCode(200).body("history_turns", equalTo(1));
        assertThat(last("frank").history()).isEmpty();
        chat("grace", "again").statusCode(200).body("history_turns", equalTo(2));
    }

    @Test
    void modelErrorAnswers502AndLeavesHistoryUnchanged() {
        String first = reply(chat("heidi", "one"));
        chat("heidi", "[fail] two")
                .statusCode(502)
                .contentType(ContentType.JSON)
                .body("detail", containsString("model \"" + FakeOpenAiResource.MODEL + "\" failed"));
        chat("heidi", "three").statusCode(200).body("history_turns", equalTo(2));
        assertThat(last("heidi").history()).containsExactly(new Turn("one", first));
        // max-retries=1: the first attempt and exactly one retry, then the agent gives up.
        assertThat(FakeOpenAiResource.model.requestsOf("heidi"))
                .filteredOn(r -> r.prompt().contains("[fail]"))
                .hasSize(2);
    }

    @Test
    void modelTimeoutAnswers504LeavesHistoryUnchangedAndTheEventLoopFree() throws Exception {
        String first = reply(chat("ivan", "one"));
        CompletableFuture<HttpResponse<String>> slow =
                http.sendAsync(post("/chat", "ivan", "[slow] two"), HttpResponse.BodyHandlers.ofString());
        // While the model keeps that chat waiting, the agent still answers at once.
        long start = System.nanoTime();
        given().get("/healthz").then().statusCode(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));

        HttpResponse<String> response = slow.get();
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(JSON.readTree(response.body()).path("detail").asText()).contains("did not answer in time");

        chat("ivan", "three").statusCode(200).body("history_turns", equalTo(2));
        assertThat(last("ivan").history()).containsExactly(new Turn("one", first));
    }

    @Test
    void fiftyConcurrentChatsAcrossFiveOwnersKeepEachHistoryExact() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String owner = "crowd-" + (i % 5);
            calls.add(http.sendAsync(
                    post("/chat", owner, owner + " message " + i), HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get();
        Map<String, List<Integer>> turnsByOwner = calls.stream()
                .map(CompletableFuture::join)
                .peek(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(200))
                .map(r -> readTree(r.body()))
                .collect(Collectors.groupingBy(
                        n -> n.path("owner").asText(),
                        Collectors.mapping(n -> n.path("history_turns").asInt(), Collectors.toList())));

        for (int o = 0; o < 5; o++) {
            String owner = "crowd-" + o;
            assertThat(turnsByOwner.get(owner)).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
            // A retried model call arrives twice with the same messages; group the calls by the history they carried.
            Map<Integer, List<FakeOpenAi.Recorded>> callsByHistory = FakeOpenAiResource.model.requestsOf(owner).stream()
                    .collect(Collectors.groupingBy(r -> r.history().size()));
            assertThat(callsByHistory.keySet()).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            // Each chat saw exactly this owner's chats answered before it, in the order they were answered.
            for (int k = 1; k < 10; k++) {
                FakeOpenAi.Recorded previous = callsByHistory.get(k - 1).get(0);
                List<String> previousReplies = callsByHistory.get(k - 1).stream()
                        .map(FakeOpenAi.Recorded::reply)
                        .toList();
                for (FakeOpenAi.Recorded call : callsByHistory.get(k)) {
                    List<Turn> history = call.history();
                    assertThat(history.subList(0, k - 1))
                            .as(owner + " call " + k)
                            .isEqualTo(previous.history());
                    assertThat(history.get(k - 1).user()).isEqualTo(previous.prompt());
                    assertThat(previousReplies).contains(history.get(k - 1).assistant());
                    assertThat(call.prompt()).startsWith(owner + " message ");
                }
            }
            assertThat(callsByHistory.values().stream()
                            .map(attempts -> attempts.get(0).prompt())
                            .distinct())
                    .hasSize(10);
        }
    }

    @Test
    void streamingDeliversPiecesBeforeTheModelFinishes() throws Exception {
        FakeOpenAiResource.model.armHold();
        HttpResponse<java.util.stream.Stream<String>> response =
                http.send(post("/chat/stream", "judy", "[hold] tell me"), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));

        List<String> events = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        JsonNode[] done = new JsonNode[1];
        String[] event = new String[1];
        response.body().forEach(line -> {
            if (line.startsWith("event: ")) {
                event[0] = line.substring(7);
                events.add(event[0]);
            } else if (line.startsWith("data: ")) {
                JsonNode data = readTree(line.substring(6));
                if ("token".equals(event[0])) {
                    text.append(data.path("text").asText());
                    // The model holds back its last piece until this point: a buffered stream would stall here.
                    FakeOpenAiResource.model.releaseHold();
                } else if ("done".equals(event[0])) {
                    done[0] = data;
                }
            }
        });

        assertThat(FakeOpenAiResource.model.holdReleasedInTime())
                .as("client saw a piece before the model finished")
                .isTrue();
        assertThat(events).startsWith("token").endsWith("done");
        assertThat(events.stream().filter("token"::equals).count()).isGreaterThan(1);
        assertThat(done[0].path("owner").asText()).isEqualTo("judy");
        assertThat(done[0].path("history_turns").asInt()).isEqualTo(1);
        assertThat(done[0].path("reply").asText()).isEqualTo(text.toString()).startsWith("I am judy's agent.");
        assertThat(last("judy").stream()).isTrue();

        chat("judy", "and now?").statusCode(200).body("history_turns", equalTo(2));
        assertThat(last("judy").history()).containsExactly(new Turn("[hold] tell me", text.toString()));
    }

    @Test
    void streamingModelErrorAnswers502BeforeAnyEvent() {
        given().header("X-Owner", "kim")
                .contentType(ContentType.JSON)
                .body(Map.of("prompt", "[fail] go"))
                .post("/chat/stream")
                .then()
                .statusCode(502)
                .contentType(ContentType.JSON)
                .body("detail", containsString("failed"));
        chat("kim", "after").statusCode(200).body("history_turns", equalTo(1));
    }

    @Test
    void streamingTimeoutBeforeAnyPieceAnswers504() {
        String first = reply(chat("liam", "one"));
        given().header("X-Owner", "liam")
                .contentType(ContentType.JSON)
                .body(Map.of("prompt", "[slow] go"))
                .post("/chat/stream")
                .then()
                .statusCode(504)
                .contentType(ContentType.JSON)
                .body("detail", containsString(FakeOpenAiResource.MODEL));
        chat("liam", "three").statusCode(200).body("history_turns", equalTo(2));
        assertThat(last("liam").history()).containsExactly(new Turn("one", first));
    }

    @Test
    void streamingThatStallsAfterAPieceEndsWithAnErrorEventAndKeepsHistory() throws Exception {
        HttpResponse<String> response =
                http.send(post("/chat/stream", "mia", "[stall] go"), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .startsWith("event: token\n")
                .contains("event: error\n")
                .doesNotContain("event: done");
        String error = response.body()
                .substring(response.body().indexOf("event: error\ndata: ") + 19)
                .trim();
        assertThat(readTree(error).path("status").asInt()).isEqualTo(504);
        chat("mia", "after").statusCode(200).body("history_turns", equalTo(1));
        assertThat(last("mia").history()).isEmpty();
    }

    @Test
    void badRequestsAreRefusedWithDetail() {
        chat("not an owner!", "hi").statusCode(400).body("detail", containsString("X-Owner"));
        chat("a".repeat(64), "hi").statusCode(400).body("detail", containsString("63"));
        chat("-leading", "hi").statusCode(400);
        chat("laura", "").statusCode(400).body("detail", containsString("empty"));
        chat("laura", "   ").statusCode(400);
        given().header("X-Owner", "laura")
                .contentType(ContentType.JSON)
                .body("not json")
                .post("/chat")
                .then()
                .statusCode(400)
                .body("detail", containsString("JSON"));
        given().header("X-Owner", "laura")
                .contentType(ContentType.JSON)
                .body(Map.of("prompt", 7))
                .post("/chat")
                .then()
                .statusCode(400)
                .body("detail", containsString("string"));
        given().header("X-Owner", "laura").post("/chat").then().statusCode(400);
        chat("laura", "x".repeat(16_001)).statusCode(413).body("detail", containsString("16000"));
        // A body far beyond any acceptable prompt is cut off while it is read.
        chat("laura", "x".repeat(200_000))
                .statusCode(413)
                .contentType(ContentType.JSON)
                .body("detail", containsString("too large"));
        given().header("X-Owner", "bad owner").post("/reset").then().statusCode(400);
        assertThat(FakeOpenAiResource.model.requestsOf("laura")).isEmpty();
    }

    @Test
    void historySurvivesARestartWhenADirectoryIsSet() {
        String first = reply(chat("mallory", "keep this"));
        chat("mallory", "and this").statusCode(200);
        // A new store on the same directory is what a restarted agent starts from.
        DirectoryConversationStore restarted =
                new DirectoryConversationStore(FakeOpenAiResource.historyDir, new ObjectMapper());
        List<Turn> history = restarted.history(new Owner("mallory"));
        assertThat(history).hasSize(2);
        assertThat(history.get(0)).isEqualTo(new Turn("keep this", first));
    }

    private ValidatableResponse chat(String owner, String prompt) {
        return given().header("X-Owner", owner)
                .contentType(ContentType.JSON)
                .body(Map.of("prompt", prompt))
                .post("/chat")
                .then();
    }

    private static String reply(ValidatableResponse response) {
        return response.statusCode(200).extract().path("reply");
    }

    private static FakeOpenAi.Recorded last(String owner) {
        List<FakeOpenAi.Recorded> requests = FakeOpenAiResource.model.requestsOf(owner);
        assertThat(requests).as("model requests of " + owner).isNotEmpty();
        return requests.get(requests.size() - 1);
    }

    private HttpRequest post(String path, String owner, String prompt) {
        return HttpRequest.newBuilder(URI.create(base.toString()).resolve(path))
                .header("X-Owner", owner)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(
                        JSON.createObjectNode().put("prompt", prompt).toString()))
                .build();
    }

    private static JsonNode readTree(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
