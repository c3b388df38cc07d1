package dev.agentsandbox.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model on loopback that speaks OpenAI chat completions (plain and streamed) under an Azure-style path
 * ({@code /openai/v1}), and records every request it receives. It answers as the owner named in the system prompt.
 * Prompts steer it: {@code [fail]} answers 500, {@code [slow]} answers after {@link #SLOW_MILLIS}, {@code [hold]}
 * (streamed) holds back the rest of the reply until the test says its client has seen the first piece, {@code [stall]}
 * (streamed) sends one piece and then nothing for {@link #SLOW_MILLIS}.
 */
public final class FakeOpenAi implements AutoCloseable {

    static final String PATH = "/openai/v1";
    static final long SLOW_MILLIS = 4500;
    private static final Pattern OWNER = Pattern.compile("You are (\\S+)'s personal agent");

    /** One request as the model saw it, with the reply it gave (null when it failed on purpose). */
    public record Recorded(String model, boolean stream, String authorization, List<Message> messages, String reply) {

        public String owner() {
            Matcher m = OWNER.matcher(messages.get(0).content());
            return m.find() ? m.group(1) : null;
        }

        public String systemPrompt() {
            return messages.get(0).role().equals("system") ? messages.get(0).content() : null;
        }

        public String prompt() {
            return messages.get(messages.size() - 1).content();
        }

        /** The user+assistant pairs sent before the prompt. */
        public List<Turn> history() {
            List<Turn> turns = new ArrayList<>();
            for (int i = 1; i + 1 < messages.size() - 1; i += 2) {
                turns.add(
                        new Turn(messages.get(i).content(), messages.get(i + 1).content()));
            }
            return turns;
        }
    }

    public record Message(String role, String content) {}

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Recorded> recorded = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile CountDownLatch hold = new CountDownLatch(1);
    private volatile boolean holdReleasedInTime;

    public FakeOpenAi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(PATH + "/chat/completions", this::complete);
        server.setExecutor(threads);
        server.start();
    }

    /** The base URL as an Azure OpenAI v1 deployment spells it (no trailing slash). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    public List<Recorded> requests() {
        return List.copyOf(recorded);
    }

    public List<Recorded> requestsOf(String owner) {
        return recorded.stream().filter(r -> owner.equals(r.owner())).toList();
    }

    /** Arms the next {@code [hold]} stream. */
    public void armHold() {
        hold = new CountDownLatch(1);
        holdReleasedInTime = false;
    }

    /** Called by the test once its client has received the first piece of a streamed reply. */
    public void releaseHold() {
        hold.countDown();
    }

    /** Whether the last {@code [hold]} stream was released by the client before the model sent its last piece. */
    public boolean holdReleasedInTime() {
        return holdReleasedInTime;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void complete(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = json.readTree(exchange.getRequestBody().readAllBytes());
            List<Message> messages = new ArrayList<>();
            for (JsonNode m : body.path("messages")) {
                messages.add(
                        new Message(m.path("role").asText(), m.path("content").asText()));
            }
            String model = body.path("model").asText();
            boolean stream = body.path("stream").asBoolean(false);
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String prompt = messages.get(messages.size() - 1).content();
            Recorded probe = new Recorded(model, stream, authorization, messages, null);

            if (prompt.contains("[fail]")) {
                recorded.add(probe);
                send(
                        exchange,
                        500,
                        "{\"error\":{\"message\":\"the fake model failed on purpose\",\"type\":\"server_error\"}}");
                return;
            }
            if (prompt.contains("[slow]")) {
                recorded.add(probe);
                sleep(SLOW_MILLIS);
            } else {
                // Jitter, so that concurrent chats really interleave.
                sleep(ThreadLocalRandom.current().nextInt(0, 15));
            }
            String reply = "I am " + probe.owner() + "'s agent. Reply " + ids.incrementAndGet() + " to: " + prompt;
            if (!prompt.contains("[slow]")) {
                recorded.add(new Recorded(model, stream, authorization, messages, reply));
            }
            if (stream) {
                stream(exchange, model, reply, prompt.contains("[hold]"), prompt.contains("[stall]"));
            } else {
                ObjectNode response = json.createObjectNode()
                        .put("id", "chatcmpl-" + ids.get())
                        .put("object", "chat.completion")
                        .put("created", 1)
                        .put("model", model);
                ObjectNode choice = response.putArray("choices").addObject();
                choice.put("index", 0).put("finish_reason", "stop");
                choice.putObject("message").put("role", "assistant").put("content", reply);
                response.putObject("usage")
                        .put("prompt_tokens", 10)
                        .put("completion_tokens", 10)
                        .put("total_tokens", 20);
                send(exchange, 200, json.writeValueAsString(response));
            }
        }
    }

    private void stream(HttpExchange exchange, String model, String reply, boolean hold, boolean stall)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        String[] words = reply.split("(?<= )");
        for (int i = 0; i < words.length; i++) {
            if (stall && i == 1) {
                sleep(SLOW_MILLIS);
            }
            if (hold && i == words.length - 1) {
                try {
                    holdReleasedInTime = this.hold.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ObjectNode chunk = chunk(model);
            ObjectNode delta = ((ObjectNode) chunk.path("choices").get(0)).putObject("delta");
            if (i == 0) {
                delta.put("role", "assistant");
            }
            delta.put("content", words[i]);
            event(out, json.writeValueAsString(chunk));
        }
        ObjectNode last = chunk(model);
        ((ObjectNode) last.path("choices").get(0)).put("finish_reason", "stop").putObject("delta");
        event(out, json.writeValueAsString(last));
        event(out, "[DONE]");
    }

    private ObjectNode chunk(String model) {
        ObjectNode chunk = json.createObjectNode()
                .put("id", "chatcmpl-" + ids.get())
                .put("object", "chat.completion.chunk")
                .put("created", 1)
                .put("model", model);
        ArrayNode choices = chunk.putArray("choices");
        choices.addObject().put("index", 0).putNull("finish_reason");
        return chunk;
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
