package dev.agentsandbox.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentsandbox.owner.ChatReply;
import dev.agentsandbox.owner.Owner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Sends HTTP requests to a sandbox through the router, with the routing headers of the wire contract
 * ({@code X-Sandbox-ID}, {@code X-Sandbox-Namespace}, {@code X-Sandbox-Port}) and the owner's bearer token.
 * Redirects are never followed: a redirect would carry the token to wherever it points.
 */
public final class RouterClient {

    /** The port the owner-aware agent listens on inside its sandbox. */
    public static final int AGENT_PORT = 8080;

    /** The router's own default proxy timeout; a model's answer can take that long. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(180);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final RouterTokens tokens;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int port;

    public RouterClient(URI base, RouterTokens tokens, Duration requestTimeout, int port) {
        this(
                base,
                tokens,
                HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build(),
                requestTimeout,
                port);
    }

    RouterClient(URI base, RouterTokens tokens, HttpClient http, Duration requestTimeout, int port) {
        if (base == null || base.getScheme() == null || base.getHost() == null) {
            throw new IllegalArgumentException(
                    "router URL \"" + base + "\" must be absolute, e.g. http://127.0.0.1:8080");
        }
        this.base = base;
        this.tokens = tokens;
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.port = port;
    }

    public URI base() {
        return base;
    }

    /** {@code POST /chat} as the sandbox's owner. */
    public ChatReply chat(ReadySandbox sandbox, String prompt) {
        JsonNode body = post(sandbox, "/chat", Map.of("prompt", prompt));
        Owner owner;
        try {
            owner = new Owner(body.path("owner").asText(sandbox.owner().name()));
        } catch (IllegalArgumentException e) {
            throw new SandboxClientException(
                    "sandbox " + sandbox.namespace() + "/" + sandbox.sandbox() + ": the /chat answer names no valid "
                            + "owner (" + e.getMessage() + ")",
                    e);
        }
        return new ChatReply(
                owner,
                body.path("reply").asText(null),
                body.path("history_turns").asInt(0));
    }

    /** {@code POST /reset}: the agent forgets the owner's conversation. */
    public void reset(ReadySandbox sandbox) {
        post(sandbox, "/reset", Map.of());
    }

    /** Sends a JSON body to {@code path} of the sandbox's agent and returns the parsed JSON answer. */
    public JsonNode post(ReadySandbox sandbox, String path, Object payload) {
        HttpResponse<String> response = send(sandbox, "POST", path, write(payload));
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new SandboxClientException(
                    "sandbox " + sandbox.namespace() + "/" + sandbox.sandbox() + ": " + path + " did not answer JSON: "
                            + abbreviate(response.body()),
                    e);
        }
    }

    /** Sends one request through the router; any status other than 2xx becomes a {@link RouterRejectedException}. */
    public HttpResponse<String> send(ReadySandbox sandbox, String method, String path, String jsonBody) {
        HttpRequest.Builder request = HttpRequest.newBuilder(resolve(path))
                .timeout(requestTimeout)
                .header("X-Sandbox-ID", sandbox.sandbox())
                .header("X-Sandbox-Namespace", sandbox.namespace())
                .header("X-Sandbox-Port", Integer.toString(port))
                .header(Owner.HEADER, sandbox.owner().name())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method(
                        method,
                        jsonBody == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(jsonBody));
        tokens.forOwner(sandbox.owner()).ifPresent(token -> request.header("Authorization", "Bearer " + token));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RouterUnreachableException(base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxClientException("request to the router at " + base + " was interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw rejected(sandbox, path, response);
        }
        return response;
    }

    private RouterRejectedException rejected(ReadySandbox sandbox, String path, HttpResponse<String> response) {
        int status = response.statusCode();
        String detail = detail(response.body());
        String target = "sandbox " + sandbox.namespace() + "/" + sandbox.sandbox();
        String message =
                switch (status) {
                    case 401 -> "router at " + base + " rejected the token for owner " + sandbox.owner() + " (401 "
                            + detail + "): "
                            + (tokens.forOwner(sandbox.owner()).isPresent()
                                    ? "the token is wrong or was rotated"
                                    : "no token given; pass --token or set ROUTER_TOKEN or "
                                            + RouterTokens.variableOf(sandbox.owner()));
                    case 403 -> "router at " + base + " refused owner " + sandbox.owner() + " access to " + target
                            + " (403 " + detail + "): the token belongs to another owner";
                    default -> {
                        if (status / 100 == 3) {
                            yield "router at " + base + " answered a redirect (" + status + " to "
                                    + response.headers().firstValue("Location").orElse("?")
                                    + "); redirects are not followed";
                        }
                        yield "router at " + base + " answered " + status + " for " + path + " on " + target + ": "
                                + detail;
                    }
                };
        return new RouterRejectedException(message, status, detail);
    }

    private URI resolve(String path) {
        String root = base.toString().replaceAll("/+$", "");
        return URI.create(root + (path.startsWith("/") ? path : "/" + path));
    }

    private static String detail(String body) {
        if (body == null || body.isBlank()) {
            return "no body";
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node.hasNonNull("detail")) {
                return node.get("detail").asText();
            }
        } catch (IOException e) {
            // Not JSON: the raw text is the best detail there is.
        }
        return abbreviate(body);
    }

    private static String abbreviate(String text) {
        String flat = text == null ? "" : text.replaceAll("\\s+", " ").strip();
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }

    private static String write(Object payload) {
        try {
            return JSON.writeValueAsString(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write request body as JSON", e);
        }
    }
}
