package dev.agentsandbox.local.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The offline demo model of local mode: an OpenAI-compatible {@code POST /v1/chat/completions} (plain and streaming)
 * on 127.0.0.1. It is not a language model and says so: it answers "I am &lt;owner&gt;'s agent." (the owner read
 * from the system prompt's "&lt;owner&gt;'s personal agent"), states that it is the offline demo model, and echoes
 * the prompt. It lets the demo run without a model endpoint or network.
 */
public final class DemoModel implements AutoCloseable {

    /** The model name agents are configured with. */
    public static final String MODEL = "offline-demo-model";
    /** The API key agents send; the demo model accepts any key. */
    public static final String API_KEY = "local-offline-demo";

    private static final Logger LOG = Logger.getLogger(DemoModel.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern OWNER = Pattern.compile("([\\p{L}\\p{N}_.@-]+)'s personal agent");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Clock clock;

    private DemoModel(HttpServer server, ExecutorService executor, Clock clock) {
        this.server = server;
        this.executor = executor;
        this.clock = clock;
    }

    /** Starts the model on 127.0.0.1 at a free port. */
    public static DemoModel start(Clock clock) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "demo-model");
            t.setDaemon(true);
            return t;
        });
        DemoModel model = new DemoModel(server, executor, clock);
        server.createContext("/v1/chat/completions", model::chat);
        server.createContext("/v1/models", model::models);
        server.setExecutor(executor);
        server.start();
        LOG.infof("offline demo model serving on %s (not a language model: it echoes)", model.baseUrl());
        return model;
    }

    /** The OpenAI base URL, e.g. {@code http://127.0.0.1:41234/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The settings an agent needs to use this model. */
    public Map<String, String> settings() {
        return Map.of("OPENAI_BASE_URL", baseUrl(), "OPENAI_API_KEY", API_KEY, "LLM_MODEL", MODEL);
    }

    /** The reply to a conversation: fixed first sentence for the owner, then what this model is, then the echo. */
    public static String reply(JsonNode messages) {
        String owner = "anonymous";
        String prompt = "";
        for (JsonNode m : messages) {
            String content = text(m.path("content"));
            if ("system".equals(m.path("role").asText())) {
                Matcher matcher = OWNER.matcher(content);
                if (matcher.find()) {
                    owner = matcher.group(1);
                }
            } else if ("user".equals(m.path("role").asText())) {
                prompt = content;
            }
        }
        return "I am " + owner + "'s agent. I am local mode's offline demo model, not a language model, so I can "
                + "only echo you. You said: \"" + prompt.strip() + "\"";
    }

    private static String text(JsonNode content) {
        if (content.isArray()) {
            StringBuilder b = new StringBuilder();
            content.forEach(part -> b.append(part.path("text").asText("")));
            return b.toString();
        }
        return content.asText("");
    }

    private void chat(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                send(exchange, 405, "application/json", "{\"error\":{\"message\":\"use POST\"}}");
                return;
            }
            JsonNode request;
            try {
                request = JSON.readTree(exchange.getRequestBody());
            } catch (IOException e) {
                send(exchange, 400, "application/json", "{\"error\":{\"message\":\"the body is not JSON\"}}");
                return;
            }
            String reply = reply(request.path("messages"));
            String model = request.path("model").asText(MODEL);
            String id = "chatcmpl-" + UUID.randomUUID();
            long created = clock.instant().getEpochSecond();
            if (request.path("stream").asBoolean(false)) {
                stream(exchange, id, created, model, reply);
                return;
            }
            ObjectNode body = JSON.createObjectNode()
                    .put("id", id)
                    .put("object", "chat.completion")
                    .put("created", created)
                    .put("model", model);
            ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", reply);
            choice.put("finish_reason", "stop");
            int promptTokens = request.path("messages").toString().length() / 4;
            int completionTokens = reply.length() / 4;
            body.putObject("usage")
                    .put("prompt_tokens", promptTokens)
                    .put("completion_tokens", completionTokens)
                    .put("total_tokens", promptTokens + completionTokens);
            send(exchange, 200, "application/json", body.toString());
        }
    }

    private void stream(HttpExchange exchange, String id, long created, String model, String reply) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        List<String> pieces = new ArrayList<>();
        pieces.add(null);
        for (String word : reply.split("(?<= )")) {
            pieces.add(word);
        }
        for (String piece : pieces) {
            ObjectNode chunk = JSON.createObjectNode()
                    .put("id", id)
                    .put("object", "chat.completion.chunk")
                    .put("created", created)
                    .put("model", model);
            ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
            ObjectNode delta = choice.putObject("delta");
            if (piece == null) {
                delta.put("role", "assistant").put("content", "");
            } else {
                delta.put("content", piece);
            }
            choice.putNull("finish_reason");
            event(out, chunk.toString());
        }
        ObjectNode last = JSON.createObjectNode()
                .put("id", id)
                .put("object", "chat.completion.chunk")
                .put("created", created)
                .put("model", model);
        last.putArray("choices")
                .addObject()
                .put("index", 0)
                .put("finish_reason", "stop")
                .putObject("delta");
        event(out, last.toString());
        event(out, "[DONE]");
        out.close();
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void models(HttpExchange exchange) throws IOException {
        try (exchange) {
            ObjectNode body = JSON.createObjectNode().put("object", "list");
            body.putArray("data")
                    .addObject()
                    .put("id", MODEL)
                    .put("object", "model")
                    .put("owned_by", "agent-sandbox");
            send(exchange, 200, "application/json", body.toString());
        }
    }

    private static void send(HttpExchange exchange, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
