package dev.agentsandbox.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real loopback HTTP server standing in for the router and the owner-aware agent behind it (both built elsewhere
 * in the project): it checks the routing headers and the bearer token against the Sandbox's owner label (401 for an
 * unknown token, 403 for another owner's sandbox), then answers {@code /chat} and {@code /reset} like the agent,
 * keeping history per sandbox and owner.
 */
final class FakeRouter implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient kube;
    private final Map<String, String> ownerByToken;
    private final Map<String, List<String>> history = new ConcurrentHashMap<>();
    private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private volatile String impostor;
    /** 503 "waking" answers still to give before the next chat is answered as woken; -1: the sandbox is awake. */
    private final AtomicInteger wakingAnswers = new AtomicInteger(-1);

    private volatile boolean userSuspended;
    private volatile CountDownLatch chatEntered;
    private volatile CountDownLatch chatRelease;

    FakeRouter(KubernetesClient kube, Map<String, String> ownerByToken) throws IOException {
        this.kube = kube;
        this.ownerByToken = Map.copyOf(ownerByToken);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every request's headers, lower-cased names. */
    List<Map<String, String>> requests() {
        return requests;
    }

    /** From now on the agent introduces itself as {@code owner}'s agent, whoever asks (a misrouting). */
    void impersonate(String owner) {
        this.impostor = owner;
    }

    /**
     * As the real router does for an idle-suspended sandbox: the next {@code waking} requests get 503 "waking" with
     * {@code Retry-After: 1} (its wait ran out), the one after is answered with {@code X-Sandbox-Woken: true}.
     */
    void asleep(int waking) {
        wakingAnswers.set(waking);
    }

    /** As the real router does for a sandbox a user suspended: 409, state "suspended", for every request. */
    void suspendedByUser() {
        userSuspended = true;
    }

    /** Makes the next chats wait until {@link #release()}; returns a latch counted down when one arrives. */
    CountDownLatch stallChats() {
        chatRelease = new CountDownLatch(1);
        chatEntered = new CountDownLatch(1);
        return chatEntered;
    }

    void release() {
        chatRelease.countDown();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new ConcurrentHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            headers.put(":path", exchange.getRequestURI().getPath());
            requests.add(headers);
            String token = headers.getOrDefault("authorization", "").replaceFirst("^Bearer ", "");
            String caller = ownerByToken.get(token);
            if (caller == null) {
                reply(exchange, 401, Map.of("detail", "missing or invalid bearer token"));
                return;
            }
            String id = headers.get("x-sandbox-id");
            String namespace = headers.getOrDefault("x-sandbox-namespace", "default");
            if (id == null || !"8080".equals(headers.get("x-sandbox-port"))) {
                reply(exchange, 400, Map.of("detail", "bad routing headers"));
                return;
            }
            Sandbox sandbox = kube.resources(Sandbox.class)
                    .inNamespace(namespace)
                    .withName(id)
                    .get();
            if (sandbox == null) {
                reply(exchange, 404, Map.of("detail", "sandbox " + namespace + "/" + id + " not found"));
                return;
            }
            if (!caller.equals(sandbox.getMetadata().getLabels().get(Labels.OWNER))) {
                reply(exchange, 403, Map.of("detail", "sandbox belongs to another owner"));
                return;
            }
            String key = namespace + "/" + id;
            if (userSuspended) {
                reply(
                        exchange,
                        409,
                        Map.of(
                                "detail",
                                "Sandbox " + key + " was suspended by a user, not for being idle; the router does "
                                        + "not wake it.",
                                "state",
                                "suspended"));
                return;
            }
            int waking = wakingAnswers.getAndUpdate(n -> n > 0 ? n - 1 : -1);
            if (waking > 0) {
                exchange.getResponseHeaders().add("Retry-After", "1");
                reply(
                        exchange,
                        503,
                        Map.of(
                                "detail",
                                "Sandbox " + key + " is waking up from an idle suspension; retry shortly.",
                                "state",
                                "waking"));
                return;
            }
            if (waking == 0) {
                exchange.getResponseHeaders().add("X-Sandbox-Woken", "true");
            }
            agent(exchange, key, headers.getOrDefault("x-owner", "anonymous"));
        }
    }

    private void agent(HttpExchange exchange, String sandbox, String owner) throws IOException {
        String key = sandbox + "#" + owner;
        switch (exchange.getRequestURI().getPath()) {
            case "/chat" -> {
                awaitRelease();
                JsonNode body = JSON.readTree(exchange.getRequestBody());
                List<String> turns = history.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>());
                turns.add(body.path("prompt").asText());
                String as = impostor != null ? impostor : owner;
                reply(
                        exchange,
                        200,
                        Map.of(
                                "owner",
                                owner,
                                "reply",
                                "I am " + as + "'s agent. You said: "
                                        + body.path("prompt").asText(),
                                "history_turns",
                                turns.size()));
            }
            case "/reset" -> {
                history.remove(key);
                reply(exchange, 200, Map.of("owner", owner, "reset", true));
            }
            default -> reply(exchange, 404, Map.of("detail", "no such path"));
        }
    }

    private void awaitRelease() {
        CountDownLatch release = chatRelease;
        if (release != null) {
            chatEntered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** History turns kept for an owner in a sandbox. */
    List<String> history(String namespace, String sandbox, String owner) {
        return new ArrayList<>(history.getOrDefault(namespace + "/" + sandbox + "#" + owner, List.of()));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
