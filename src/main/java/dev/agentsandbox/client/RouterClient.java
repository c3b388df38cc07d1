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
import java.net.http.HttpTimeoutException;
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

    /** The router's answer header for a request it held while the sandbox woke (docs/api.md section 10.7). */
    static final String WOKEN_HEADER = "X-Sandbox-Woken";

    private static final String WAKING = "waking";
    private static final String SUSPENDED = "suspended";
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
        return chat(sandbox, prompt, ClaimProgress.SILENT).reply();
    }

    /**
     * {@code POST /chat} as the sandbox's owner, telling {@code progress} when the chat wakes an idle-suspended
     * sandbox; the result says whether it did ({@link ChatResult#resumed()}).
     */
    public ChatResult chat(ReadySandbox sandbox, String prompt, ClaimProgress progress) {
        Answer answer = exchange(sandbox, "POST", "/chat", write(Map.of("prompt", prompt)), progress);
        JsonNode body = json(sandbox, "/chat", answer.response());
        Owner owner;
        try {
            owner = new Owner(body.path("owner").asText(sandbox.owner().name()));
        } catch (IllegalArgumentException e) {
            throw new SandboxClientException(
                    "sandbox " + sandbox.key() + ": the /chat answer names no valid owner (" + e.getMessage() + ")", e);
        }
        ChatReply reply = new ChatReply(
                owner,
                body.path("reply").asText(null),
                body.path("history_turns").asInt(0));
        return new ChatResult(reply, answer.woke());
    }

    /** {@code POST /reset}: the agent forgets the owner's conversation. */
    public void reset(ReadySandbox sandbox) {
        post(sandbox, "/reset", Map.of());
    }

    /** Sends a JSON body to {@code path} of the sandbox's agent and returns the parsed JSON answer. */
    public JsonNode post(ReadySandbox sandbox, String path, Object payload) {
        return json(sandbox, path, send(sandbox, "POST", path, write(payload)));
    }

    /**
     * Sends one request through the router; any status other than 2xx becomes a {@link RouterRejectedException}. A
     * sandbox that is still waking ({@code 503}, state {@code waking}) is asked again after the router's
     * {@code Retry-After}, within this client's request timeout.
     */
    public HttpResponse<String> send(ReadySandbox sandbox, String method, String path, String jsonBody) {
        return exchange(sandbox, method, path, jsonBody, ClaimProgress.SILENT).response();
    }

    /** An answer, and whether getting it woke the sandbox. */
    private record Answer(HttpResponse<String> response, boolean woke) {}

    /**
     * The request, sent again while the router says the sandbox is waking: a {@code 503} "waking" means the router
     * did not forward it, so even a POST is safe to repeat. The whole exchange stays within the request timeout.
     */
    private Answer exchange(ReadySandbox sandbox, String method, String path, String jsonBody, ClaimProgress progress) {
        long start = System.nanoTime();
        long deadline = start + requestTimeout.toNanos();
        boolean waking = sandbox.asleep();
        if (waking) {
            progress.waking(sandbox);
        }
        while (true) {
            HttpResponse<String> response;
            try {
                response = once(sandbox, method, path, jsonBody, Duration.ofNanos(deadline - System.nanoTime()));
            } catch (RouterUnreachableException e) {
                if (waking && e.getCause() instanceof HttpTimeoutException) {
                    throw new SandboxWakeTimeoutException(
                            sandbox, Duration.ofNanos(System.nanoTime() - start), "no answer in time");
                }
                throw e;
            }
            int status = response.statusCode();
            if (status / 100 == 2) {
                boolean held = response.headers()
                        .firstValue(WOKEN_HEADER)
                        .map("true"::equalsIgnoreCase)
                        .orElse(false);
                if (held && !waking) {
                    progress.waking(sandbox);
                }
                return new Answer(response, waking || held);
            }
            if (status == 409 && SUSPENDED.equals(state(response.body()))) {
                throw new SandboxSuspendedException(
                        sandbox.namespace(),
                        sandbox.sandbox(),
                        sandbox.owner(),
                        "the router answered 409: " + detail(response.body()));
            }
            if (status != 503 || !WAKING.equals(state(response.body()))) {
                throw rejected(sandbox, path, response);
            }
            if (!waking) {
                waking = true;
                progress.waking(sandbox);
            }
            Duration pause = retryAfter(response);
            if (System.nanoTime() + pause.toNanos() >= deadline) {
                throw new SandboxWakeTimeoutException(
                        sandbox, Duration.ofNanos(System.nanoTime() - start), detail(response.body()));
            }
            progress.stillWaking(sandbox, pause);
            pause(pause);
        }
    }

    private HttpResponse<String> once(
            ReadySandbox sandbox, String method, String path, String jsonBody, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(resolve(path))
                .timeout(timeout)
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
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RouterUnreachableException(base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxClientException("request to the router at " + base + " was interrupted", e);
        }
    }

    private JsonNode json(ReadySandbox sandbox, String path, HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new SandboxClientException(
                    "sandbox " + sandbox.key() + ": " + path + " did not answer JSON: " + abbreviate(response.body()),
                    e);
        }
    }

    /** The router's {@code Retry-After} in seconds, at least 1 s (1 s when it sent none or a date). */
    private static Duration retryAfter(HttpResponse<String> response) {
        long seconds = response.headers()
                .firstValue("Retry-After")
                .map(String::strip)
                .filter(v -> v.matches("\\d{1,6}"))
                .map(Long::parseLong)
                .orElse(1L);
        return Duration.ofSeconds(Math.max(1, seconds));
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxClientException("interrupted while waiting for a sandbox to wake", e);
        }
    }

    private RouterRejectedException rejected(ReadySandbox sandbox, String path, HttpResponse<String> response) {
        int status = response.statusCode();
        String detail = detail(response.body());
        String target = "sandbox " + sandbox.key();
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
        JsonNode node = parse(body);
        if (node != null && node.hasNonNull("detail")) {
            return node.get("detail").asText();
        }
        return abbreviate(body);
    }

    /** The {@code state} of the router's JSON error ({@code waking}, {@code suspended}), or null. */
    private static String state(String body) {
        JsonNode node = body == null || body.isBlank() ? null : parse(body);
        return node != null && node.hasNonNull("state") ? node.get("state").asText() : null;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            // Not JSON: the caller falls back to the raw text.
            return null;
        }
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
