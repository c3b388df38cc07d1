package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.owner.token.OwnerTokens;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The router's wire contract end to end on loopback, without Quarkus: real HTTP, SSE and WebSocket servers stand in
 * for sandboxes (127.0.0.2 and up), Sandboxes live in a CRUD API server, and the router resolves them from its
 * informer cache.
 */
class SandboxProxyTest {

    static final String SHARED = "shared-secret-token";
    static RouterFixture router;
    static Backends echo;
    static String aliceToken;
    static String bobToken;
    static final HttpClient http = RouterFixture.httpClient();

    @BeforeAll
    static void start() throws Exception {
        router = new RouterFixture(
                Map.of("sandbox.router.auth-token", SHARED, "sandbox.router.owner-tokens.enabled", "true"));
        echo = router.backends("127.0.0.2", "127.0.0.2", "127.0.0.3");
        router.sandbox("default", "alpha", "alice", true, "127.0.0.2");
        router.sandbox("team-b", "alpha", "bob", true, "127.0.0.3");
        router.sandbox("default", "unowned", null, true, "127.0.0.2");
        router.sandbox("default", "sleepy", "alice", false);
        router.sandbox("team-b", "sleepy", "bob", false);
        Map<String, String> tokens = router.ownerTokens("alice", "bob");
        aliceToken = tokens.get("alice");
        bobToken = tokens.get("bob");
    }

    @AfterAll
    static void stop() {
        router.close();
    }

    static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(router.url(path)))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString("payload-" + method));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String[] routed(String namespace, String id, int port, String... more) {
        List<String> headers = new ArrayList<>(List.of(
                "Authorization",
                "Bearer " + SHARED,
                "X-Sandbox-ID",
                id,
                "X-Sandbox-Namespace",
                namespace,
                "X-Sandbox-Port",
                Integer.toString(port)));
        headers.addAll(List.of(more));
        return headers.toArray(String[]::new);
    }

    static JsonObject json(HttpResponse<String> response) {
        return new JsonObject(response.body());
    }

    @Test
    void healthzAnswersWithoutAuthentication() throws Exception {
        HttpResponse<String> response = send("GET", "/healthz");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).isEqualTo(new JsonObject().put("status", "ok"));
    }

    @Test
    void routesByIdNamespaceAndPort() throws Exception {
        assertThat(json(send("GET", "/", routed("default", "alpha", echo.port(0))))
                        .getString("backend"))
                .isEqualTo("127.0.0.2:" + echo.port(0));
        assertThat(json(send("GET", "/", routed("default", "alpha", echo.port(1))))
                        .getString("backend"))
                .isEqualTo("127.0.0.2:" + echo.port(1));
        assertThat(json(send("GET", "/", routed("team-b", "alpha", echo.port(2))))
                        .getString("backend"))
                .isEqualTo("127.0.0.3:" + echo.port(2));
    }

    @Test
    void namespaceDefaultsToDefault() throws Exception {
        HttpResponse<String> response = send(
                "GET",
                "/x",
                "Authorization",
                "Bearer " + SHARED,
                "X-Sandbox-ID",
                "alpha",
                "X-Sandbox-Port",
                Integer.toString(echo.port(0)));
        assertThat(json(response).getString("backend")).isEqualTo("127.0.0.2:" + echo.port(0));
    }

    @ParameterizedTest
    @MethodSource("methods")
    void forwardsEveryMethodWithRawPathAndQuery(String method) throws Exception {
        String uri = "/files/a%2Fb/../c;v=1?q=%20x&empty=&flag&plus=a+b";
        HttpResponse<String> response = send(method, uri, routed("default", "alpha", echo.port(0)));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Backend")).contains("127.0.0.2");
        if (!method.equals("HEAD")) {
            JsonObject echoed = json(response);
            assertThat(echoed.getString("method")).isEqualTo(method);
            assertThat(echoed.getString("uri")).isEqualTo(uri);
            boolean hasBody = !List.of("GET", "OPTIONS").contains(method);
            assertThat(echoed.getString("body")).isEqualTo(hasBody ? "payload-" + method : "");
        }
    }

    @Test
    void theAccessLogHasTheRouteAndStatusButNoQueryStringOrHeader() throws Exception {
        HttpResponse<String> response =
                send("GET", "/logged/path?api_key=query-secret", routed("default", "alpha", echo.port(0)));
        assertThat(response.statusCode()).isEqualTo(200);

        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(router.accessLogLines())
                .anySatisfy(line -> assertThat(line)
                        .contains(" ACCESS 127.0.0.1 GET /logged/path default/alpha:" + echo.port(0) + " owner=")
                        .contains(" 200 ")
                        .doesNotContain("query-secret")
                        .doesNotContain(SHARED)));
    }

    static Stream<String> methods() {
        return Stream.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
    }

    @Test
    void stripsRoutingHopByHopAndIdentityHeadersAndSetsForwardedOnes() throws Exception {
        RouterFixture.RawResponse response = router.raw("GET /h HTTP/1.1\r\n"
                + "Host: evil.example:1234\r\n"
                + "Authorization: Bearer " + SHARED + "\r\n"
                + "X-Sandbox-ID: alpha\r\n"
                + "X-Sandbox-Port: " + echo.port(0) + "\r\n"
                + "X-Sandbox-Timeout: 30\r\n"
                + "X-Sandbox-Pod-IP: 127.0.0.2\r\n"
                + "X-Owner: mallory\r\n"
                + "X-Forwarded-For: 10.9.9.9\r\n"
                + "X-Forwarded-Proto: https\r\n"
                + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                + "Connection: close, X-Listed\r\n"
                + "X-Listed: drop-me\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "TE: trailers\r\n"
                + "X-Custom: kept\r\n\r\n");
        assertThat(response.status()).isEqualTo(200);
        JsonObject headers = new JsonObject(response.body()).getJsonObject("headers");
        assertThat(headers.fieldNames())
                .noneMatch(n -> n.startsWith("x-sandbox-"))
                .doesNotContain("authorization", "proxy-authorization", "x-listed", "keep-alive", "te");
        assertThat(headers.getString("host")).isEqualTo("127.0.0.2:" + echo.port(0));
        assertThat(headers.getString("x-custom")).isEqualTo("kept");
        // The sandbox is alice's: the router states the owner, whatever the client claimed.
        assertThat(headers.getString("x-owner")).isEqualTo("alice");
        assertThat(headers.getString("x-forwarded-for")).isEqualTo("10.9.9.9, 127.0.0.1");
        assertThat(headers.getString("x-forwarded-proto")).isEqualTo("http");
        assertThat(headers.getString("x-forwarded-host")).isEqualTo("evil.example:1234");
        // The sandbox's hop-by-hop headers (X-Hop is listed in its Connection header) stay behind too.
        assertThat(response.head().toLowerCase())
                .contains("x-backend: 127.0.0.2")
                .doesNotContain("x-hop");
    }

    @Test
    void unownedSandboxReachedWithSharedTokenKeepsClientOwnerLikeUpstream() throws Exception {
        JsonObject headers = json(send("GET", "/", routed("default", "unowned", echo.port(0), "X-Owner", "carol")))
                .getJsonObject("headers");
        assertThat(headers.getString("x-owner")).isEqualTo("carol");
    }

    /** At least 30 bad routing header values, each refused with 400 and a detail naming what is wrong. */
    static Stream<Arguments> badHeaders() {
        String idRule = "Invalid X-Sandbox-ID: must be a DNS-1123 label: at most 63 lower-case letters, digits or '-', "
                + "starting and ending with a letter or digit.";
        String nsRule = idRule.replace("X-Sandbox-ID", "X-Sandbox-Namespace");
        String portFormat = "Invalid port format: X-Sandbox-Port must be an integer from 1 to 65535.";
        String portRange = "Invalid port: X-Sandbox-Port must be from 1 to 65535.";
        String ipFormat = "Invalid X-Sandbox-Pod-IP: must be an IPv4 or IPv6 address.";
        String notOurs = "X-Sandbox-Pod-IP is not an address of sandbox default/alpha.";
        String timeout = "Invalid X-Sandbox-Timeout: must be a number of seconds greater than 0.";
        String id = "X-Sandbox-ID: alpha\r\n";
        return Stream.of(
                Arguments.of("missing ID", "", "X-Sandbox-ID header is required."),
                Arguments.of("empty ID", "X-Sandbox-ID: \r\n", "X-Sandbox-ID header is required."),
                Arguments.of("upper case", "X-Sandbox-ID: Alpha\r\n", idRule),
                Arguments.of("64 characters", "X-Sandbox-ID: " + "a".repeat(64) + "\r\n", idRule),
                Arguments.of("leading dash", "X-Sandbox-ID: -alpha\r\n", idRule),
                Arguments.of("trailing dash", "X-Sandbox-ID: alpha-\r\n", idRule),
                Arguments.of("underscore", "X-Sandbox-ID: al_pha\r\n", idRule),
                Arguments.of("dots", "X-Sandbox-ID: alpha.default.svc\r\n", idRule),
                Arguments.of("slash", "X-Sandbox-ID: alpha/beta\r\n", idRule),
                Arguments.of("path traversal", "X-Sandbox-ID: ../../etc\r\n", idRule),
                Arguments.of("encoded CRLF", "X-Sandbox-ID: alpha%0d%0aX-Evil:1\r\n", idRule),
                Arguments.of("CR inside value", "X-Sandbox-ID: alpha\rX-Evil: 1\r\n", null),
                Arguments.of("non-ASCII", "X-Sandbox-ID: s\u00e4ndbox\r\n", idRule),
                Arguments.of("space inside", "X-Sandbox-ID: al pha\r\n", idRule),
                Arguments.of("host and port", "X-Sandbox-ID: alpha:8080\r\n", idRule),
                Arguments.of("an IP address", "X-Sandbox-ID: 127.0.0.1\r\n", idRule),
                Arguments.of("wildcard", "X-Sandbox-ID: *\r\n", idRule),
                Arguments.of("sent twice", id + id, "X-Sandbox-ID must be sent once."),
                Arguments.of("empty namespace", id + "X-Sandbox-Namespace: \r\n", nsRule),
                Arguments.of("upper-case namespace", id + "X-Sandbox-Namespace: Default\r\n", nsRule),
                Arguments.of("namespace with dots", id + "X-Sandbox-Namespace: kube.system\r\n", nsRule),
                Arguments.of("namespace with slash", id + "X-Sandbox-Namespace: a/b\r\n", nsRule),
                Arguments.of("namespace of 64", id + "X-Sandbox-Namespace: " + "n".repeat(64) + "\r\n", nsRule),
                Arguments.of("port 0", id + "X-Sandbox-Port: 0\r\n", portRange),
                Arguments.of("port 65536", id + "X-Sandbox-Port: 65536\r\n", portRange),
                Arguments.of("port abc", id + "X-Sandbox-Port: abc\r\n", portFormat),
                Arguments.of("negative port", id + "X-Sandbox-Port: -1\r\n", portFormat),
                Arguments.of("signed port", id + "X-Sandbox-Port: +80\r\n", portFormat),
                Arguments.of("fractional port", id + "X-Sandbox-Port: 80.5\r\n", portFormat),
                Arguments.of("huge port", id + "X-Sandbox-Port: 99999999999\r\n", portFormat),
                Arguments.of("empty port", id + "X-Sandbox-Port: \r\n", portFormat),
                Arguments.of("pod IP as a host name", id + "X-Sandbox-Pod-IP: metadata.google.internal\r\n", ipFormat),
                Arguments.of("pod IP with a path", id + "X-Sandbox-Pod-IP: 127.0.0.2/admin\r\n", ipFormat),
                Arguments.of("metadata service", id + "X-Sandbox-Pod-IP: 169.254.169.254\r\n", notOurs),
                Arguments.of("link-local", id + "X-Sandbox-Pod-IP: 169.254.1.1\r\n", notOurs),
                Arguments.of("another sandbox's pod", id + "X-Sandbox-Pod-IP: 127.0.0.3\r\n", notOurs),
                Arguments.of("cluster-internal address", id + "X-Sandbox-Pod-IP: 10.0.0.1\r\n", notOurs),
                Arguments.of("IPv6 loopback", id + "X-Sandbox-Pod-IP: ::1\r\n", notOurs),
                Arguments.of("pod IP with a port", id + "X-Sandbox-Pod-IP: 127.0.0.2:22\r\n", notOurs),
                Arguments.of("timeout 0", id + "X-Sandbox-Timeout: 0\r\n", timeout),
                Arguments.of("negative timeout", id + "X-Sandbox-Timeout: -5\r\n", timeout),
                Arguments.of("timeout abc", id + "X-Sandbox-Timeout: abc\r\n", timeout),
                Arguments.of("timeout in exponent form", id + "X-Sandbox-Timeout: 1e3\r\n", timeout),
                Arguments.of("timeout NaN", id + "X-Sandbox-Timeout: NaN\r\n", timeout),
                Arguments.of("timeout with a dangling dot", id + "X-Sandbox-Timeout: 5.\r\n", timeout));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHeaders")
    void refusesBadRoutingHeaders(String why, String headers, String detail) throws Exception {
        RouterFixture.RawResponse response = router.raw("GET /x HTTP/1.1\r\nHost: router\r\nConnection: close\r\n"
                + "Authorization: Bearer " + SHARED + "\r\n" + headers + "\r\n");
        assertThat(response.status()).as(why).isEqualTo(400);
        if (detail != null) {
            assertThat(response.head().toLowerCase()).contains("content-type: application/json");
            assertThat(new JsonObject(response.body()).getString("detail"))
                    .as(why)
                    .isEqualTo(detail);
        }
    }

    @Test
    void unknownSandboxIs404AndNotReadyIs503WithRetryAfter() throws Exception {
        HttpResponse<String> missing = send("GET", "/", routed("default", "nope", 8888));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).getString("detail")).isEqualTo("Sandbox default/nope not found.");
        HttpResponse<String> sleepy = send("GET", "/", routed("default", "sleepy", 8888));
        assertThat(sleepy.statusCode()).isEqualTo(503);
        assertThat(sleepy.headers().firstValue("Retry-After")).contains("2");
        assertThat(json(sleepy).getString("detail")).isEqualTo("Sandbox default/sleepy is not ready.");
    }

    @Test
    void podIpHintSelectsOneOfTheSandboxesOwnAddresses() throws Exception {
        // First pod IP has nothing listening: without a hint that is a 502; with the hint the second IP is used.
        router.sandbox("default", "dual", "alice", true, "127.0.0.9", "127.0.0.3");
        HttpResponse<String> first = send("GET", "/", routed("default", "dual", echo.port(2)));
        assertThat(first.statusCode()).isEqualTo(502);
        assertThat(json(first).getString("detail"))
                .isEqualTo("Could not connect to the backend sandbox: default/dual.");
        HttpResponse<String> hinted =
                send("GET", "/", routed("default", "dual", echo.port(2), "X-Sandbox-Pod-IP", "127.0.0.3"));
        assertThat(json(hinted).getString("backend")).isEqualTo("127.0.0.3:" + echo.port(2));
    }

    /** Authentication and owner binding: each row is (Authorization, namespace, sandbox, client X-Owner, status, detail or owner seen). */
    static Stream<Arguments> authTable() {
        return Stream.of(
                Arguments.of(
                        "missing",
                        null,
                        "default",
                        "alpha",
                        null,
                        401,
                        "Authorization header is required: send 'Authorization: Bearer <token>'."),
                Arguments.of(
                        "basic scheme",
                        "Basic dXNlcjpwYXNz",
                        "default",
                        "alpha",
                        null,
                        401,
                        "Malformed Authorization header: expected 'Bearer <token>'."),
                Arguments.of(
                        "bearer without token",
                        "Bearer",
                        "default",
                        "alpha",
                        null,
                        401,
                        "Malformed Authorization header: expected 'Bearer <token>'."),
                Arguments.of(
                        "two tokens",
                        "Bearer a b",
                        "default",
                        "alpha",
                        null,
                        401,
                        "Malformed Authorization header: expected 'Bearer <token>'."),
                Arguments.of(
                        "wrong token", "Bearer not-the-token", "default", "alpha", null, 401, "Invalid bearer token."),
                Arguments.of(
                        "shared token with a suffix",
                        "Bearer " + SHARED + "x",
                        "default",
                        "alpha",
                        null,
                        401,
                        "Invalid bearer token."),
                Arguments.of("shared token", "Bearer " + SHARED, "default", "alpha", null, 200, "alice"),
                Arguments.of(
                        "shared token, lower-case scheme", "bearer " + SHARED, "team-b", "alpha", null, 200, "bob"),
                Arguments.of("owner match", "Bearer <alice>", "default", "alpha", null, 200, "alice"),
                Arguments.of("owner match, spoofed X-Owner", "Bearer <alice>", "default", "alpha", "bob", 200, "alice"),
                Arguments.of("owner match for bob", "Bearer <bob>", "team-b", "alpha", "alice", 200, "bob"),
                Arguments.of(
                        "owner mismatch",
                        "Bearer <alice>",
                        "team-b",
                        "alpha",
                        "bob",
                        403,
                        "Sandbox team-b/alpha does not belong to owner alice."),
                Arguments.of(
                        "owner mismatch before readiness",
                        "Bearer <alice>",
                        "team-b",
                        "sleepy",
                        null,
                        403,
                        "Sandbox team-b/sleepy does not belong to owner alice."),
                Arguments.of(
                        "sandbox without owner",
                        "Bearer <bob>",
                        "default",
                        "unowned",
                        null,
                        403,
                        "Sandbox default/unowned does not belong to owner bob."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authTable")
    void authenticatesAndBindsOwners(
            String why,
            String authorization,
            String namespace,
            String id,
            String clientOwner,
            int status,
            String expected)
            throws Exception {
        List<String> headers = new ArrayList<>(List.of(
                "X-Sandbox-ID",
                id,
                "X-Sandbox-Namespace",
                namespace,
                "X-Sandbox-Port",
                Integer.toString(namespace.equals("default") ? echo.port(0) : echo.port(2))));
        if (authorization != null) {
            headers.addAll(List.of(
                    "Authorization",
                    authorization.replace("<alice>", aliceToken).replace("<bob>", bobToken)));
        }
        if (clientOwner != null) {
            headers.addAll(List.of("X-Owner", clientOwner));
        }
        HttpResponse<String> response = send("GET", "/", headers.toArray(String[]::new));
        assertThat(response.statusCode()).as(why).isEqualTo(status);
        if (status == 200) {
            assertThat(json(response).getJsonObject("headers").getString("x-owner"))
                    .as(why)
                    .isEqualTo(expected);
        } else {
            assertThat(json(response).getString("detail")).as(why).isEqualTo(expected);
        }
        if (status == 401) {
            assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        }
    }

    @Test
    void rotatedOwnerTokenReplacesTheOldOne() throws Exception {
        String first = OwnerTokens.issue(
                router.client, OwnerTokens.DEFAULT_NAMESPACE, OwnerTokens.DEFAULT_SECRET_NAME, "dave");
        router.sandbox("default", "daves", "dave", true, "127.0.0.2");
        String[] route = {"X-Sandbox-ID", "daves", "X-Sandbox-Port", Integer.toString(echo.port(0))};
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> send("GET", "/", concat(route, "Authorization", "Bearer " + first))
                                .statusCode()
                        == 200);
        String second = OwnerTokens.issue(
                router.client, OwnerTokens.DEFAULT_NAMESPACE, OwnerTokens.DEFAULT_SECRET_NAME, "dave");
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> send("GET", "/", concat(route, "Authorization", "Bearer " + first))
                                .statusCode()
                        == 401);
        assertThat(send("GET", "/", concat(route, "Authorization", "Bearer " + second))
                        .statusCode())
                .isEqualTo(200);
        OwnerTokens.revoke(router.client, OwnerTokens.DEFAULT_NAMESPACE, OwnerTokens.DEFAULT_SECRET_NAME, "dave");
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> send("GET", "/", concat(route, "Authorization", "Bearer " + second))
                                .statusCode()
                        == 401);
    }

    /**
     * The router remembers who authenticated on a keep-alive connection, so as not to hash the same token for each
     * request: a different token on that connection is checked afresh, and a token revoked meanwhile is refused on
     * the connection that used it a moment before.
     */
    @Test
    void aTokenRevokedMidConnectionIsRefusedOnThatConnection() throws Exception {
        String erinToken = OwnerTokens.issue(
                router.client, OwnerTokens.DEFAULT_NAMESPACE, OwnerTokens.DEFAULT_SECRET_NAME, "erin");
        router.sandbox("default", "erins", "erin", true, "127.0.0.2");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "erin"
                .equals(router.ownerTokens.ownerOf(erinToken)));
        String head = "GET / HTTP/1.1\r\nHost: router\r\nX-Sandbox-ID: erins\r\nX-Sandbox-Port: " + echo.port(0)
                + "\r\nAuthorization: Bearer ";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", router.port)) {
            socket.setSoTimeout(10_000);
            java.io.InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            java.io.OutputStream out = socket.getOutputStream();
            assertThat(exchange(in, out, head + erinToken + "\r\n\r\n")).isEqualTo(200);
            assertThat(exchange(in, out, head + erinToken + "\r\n\r\n")).isEqualTo(200);
            // another owner's token on the same connection: not the remembered caller
            assertThat(exchange(in, out, head + bobToken + "\r\n\r\n")).isEqualTo(403);
            assertThat(exchange(in, out, head + erinToken + "x\r\n\r\n")).isEqualTo(401);
            assertThat(exchange(in, out, head + erinToken + "\r\n\r\n")).isEqualTo(200);
            OwnerTokens.revoke(router.client, OwnerTokens.DEFAULT_NAMESPACE, OwnerTokens.DEFAULT_SECRET_NAME, "erin");
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> router.ownerTokens.ownerOf(erinToken) == null);
            assertThat(exchange(in, out, head + erinToken + "\r\n\r\n")).isEqualTo(401);
        }
    }

    /** Sends one request on a kept-alive socket and reads its whole response (with a Content-Length); the status. */
    private static int exchange(java.io.InputStream in, java.io.OutputStream out, String request) throws Exception {
        out.write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        out.flush();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("the router closed the connection after: " + head).isNotNegative();
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(
                        line.substring("content-length:".length()).trim());
            }
        }
        assertThat(in.readNBytes(length)).hasSize(length);
        return Integer.parseInt(head.substring(9, 12));
    }

    static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    @Test
    void serverSentEventsStreamBeforeTheSandboxFinishes() throws Exception {
        Promise<Void> release = Promise.promise();
        AtomicBoolean lastSent = new AtomicBoolean();
        HttpServer sse = router.vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.4").setPort(0))
                .requestHandler(request -> {
                    request.response()
                            .setChunked(true)
                            .putHeader("Content-Type", "text/event-stream")
                            .write("data: first\n\n");
                    release.future().onSuccess(v -> {
                        lastSent.set(true);
                        request.response().end("data: last\n\n");
                    });
                })
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        router.sandbox("default", "streamer", "alice", true, "127.0.0.4");
        HttpRequest request = HttpRequest.newBuilder(URI.create(router.url("/events")))
                .timeout(Duration.ofSeconds(20))
                .headers(concat(routed("default", "streamer", sse.actualPort()), "Accept", "text/event-stream"))
                .build();
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
        Iterator<String> lines = response.body().iterator();
        assertThat(lines.next()).isEqualTo("data: first");
        assertThat(lastSent)
                .as("the first event arrived before the sandbox sent the last")
                .isFalse();
        release.complete();
        List<String> rest = new ArrayList<>();
        lines.forEachRemaining(rest::add);
        assertThat(rest).containsExactly("", "data: last", "");
        sse.close();
    }

    @Test
    void relaysWebSocketsWithCloseCodes() throws Exception {
        HttpServer ws = router.vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.5").setPort(0))
                .webSocketHandler(socket -> {
                    String owner = socket.headers().get("X-Owner");
                    socket.textMessageHandler(text -> {
                        if (text.equals("close-me")) {
                            socket.close((short) 4001, "bye");
                        } else {
                            socket.writeTextMessage(owner + ":" + text);
                        }
                    });
                    socket.binaryMessageHandler(socket::writeBinaryMessage);
                })
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        router.sandbox("default", "socket", "alice", true, "127.0.0.5");
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                received.add("text:" + data);
                socket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                received.add("binary:" + new String(bytes));
                socket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
                closed.complete(code + " " + reason);
                return null;
            }
        };
        WebSocket.Builder builder = http.newWebSocketBuilder();
        String[] headers = {
            "Authorization",
            "Bearer " + aliceToken,
            "X-Sandbox-ID",
            "socket",
            "X-Sandbox-Port",
            Integer.toString(ws.actualPort()),
            "X-Owner",
            "mallory"
        };
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        WebSocket socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + router.port + "/ws"), listener)
                .get(20, TimeUnit.SECONDS);
        socket.sendText("hello", true).get(5, TimeUnit.SECONDS);
        socket.sendBinary(ByteBuffer.wrap("bytes".getBytes()), true).get(5, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 2);
        assertThat(received).containsExactly("text:alice:hello", "binary:bytes");
        socket.sendText("close-me", true).get(10, TimeUnit.SECONDS);
        assertThat(closed.get(30, TimeUnit.SECONDS)).isEqualTo("4001 bye");
        ws.close();
    }

    @Test
    void webSocketToAnotherOwnersSandboxIsRefusedBeforeTheUpgrade() {
        WebSocket.Builder builder = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + bobToken)
                .header("X-Sandbox-ID", "alpha")
                .header("X-Sandbox-Port", Integer.toString(echo.port(0)));
        assertThatThrownBy(() -> builder.buildAsync(
                                URI.create("ws://127.0.0.1:" + router.port + "/ws"), new WebSocket.Listener() {})
                        .get(10, TimeUnit.SECONDS))
                .hasStackTraceContaining("403");
    }

    @Test
    void sandboxKilledMidReplyIs502AndTheRouterStaysHealthy() throws Exception {
        NetServer dying = router.vertx
                .createNetServer()
                .connectHandler(socket -> socket.handler(data -> {
                    if (data.toString().contains("/die-during")) {
                        socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
                        router.vertx.setTimer(100, t -> socket.close());
                    } else {
                        socket.close();
                    }
                }))
                .listen(0, "127.0.0.6")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        router.sandbox("default", "dying", "alice", true, "127.0.0.6");
        String[] route = routed("default", "dying", dying.actualPort());
        HttpResponse<String> before = send("GET", "/die-before", route);
        assertThat(before.statusCode()).isEqualTo(502);
        assertThat(json(before).getString("detail"))
                .isEqualTo("Sandbox default/dying closed the connection before answering.");
        // After the status line has gone out, the only signal left is to cut the client's connection.
        assertThatThrownBy(() -> send("GET", "/die-during", route)).isInstanceOf(java.io.IOException.class);
        assertThat(send("GET", "/healthz").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/", routed("default", "alpha", echo.port(0))).statusCode())
                .isEqualTo(200);
        dying.close();
    }

    /** A reply with a declared length is complete at its last byte; one cut short is never passed off as whole. */
    @Test
    void aDeclaredLengthReplyIsWholeOrCut() throws Exception {
        NetServer abrupt = router.vertx
                .createNetServer()
                .connectHandler(socket -> socket.handler(data -> {
                    if (data.toString().contains("/whole")) {
                        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
                    } else {
                        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
                    }
                    socket.close();
                }))
                .listen(0, "127.0.0.6")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        router.sandbox("default", "abrupt", "alice", true, "127.0.0.6");
        String[] route = routed("default", "abrupt", abrupt.actualPort());

        HttpResponse<String> whole = send("GET", "/whole", route);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo("hello");
        // Cut short: the client's connection is cut after the partial body (the router had relayed the head), or a 502
        // when the router saw the close before the head reached it; never a clean 200 with half a body.
        try {
            HttpResponse<String> half = send("GET", "/half", route);
            assertThat(half.statusCode())
                    .as("a truncated reply passed off as complete")
                    .isEqualTo(502);
        } catch (java.io.IOException cut) {
            // the expected signal once the head has gone out
        }
        assertThat(send("GET", "/", routed("default", "alpha", echo.port(0))).statusCode())
                .isEqualTo(200);
        abrupt.close();
    }

    @Test
    void silentSandboxIs504AtTheRequestedTimeout() throws Exception {
        HttpServer silent = router.vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.7").setPort(0))
                .requestHandler(request -> {})
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        router.sandbox("default", "silent", "alice", true, "127.0.0.7");
        long start = System.nanoTime();
        HttpResponse<String> response =
                send("GET", "/", routed("default", "silent", silent.actualPort(), "X-Sandbox-Timeout", "0.5"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(json(response).getString("detail")).isEqualTo("Sandbox default/silent did not answer within 0.5 s.");
        assertThat(millis).isBetween(450L, 3000L);
        silent.close();
    }

    @Test
    void declaredBodyAboveTheLimitIs413() throws Exception {
        RouterFixture.RawResponse response = router.raw("POST /upload HTTP/1.1\r\nHost: r\r\nConnection: close\r\n"
                + "Authorization: Bearer " + SHARED + "\r\nX-Sandbox-ID: alpha\r\nX-Sandbox-Port: " + echo.port(0)
                + "\r\nContent-Length: 999999999999\r\n\r\n");
        assertThat(response.status()).isEqualTo(413);
        assertThat(new JsonObject(response.body()).getString("detail"))
                .isEqualTo("Request body exceeds 67108864 bytes.");
    }

    @Test
    void slowSandboxesDoNotHoldEachOtherUp() throws Exception {
        // Two event loops, 60 requests to a sandbox that answers each after 300 ms: a router that blocked a loop
        // while waiting would need 60 x 300 ms / 2 = 9 s.
        HttpServer slow = router.vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.8").setPort(0))
                .requestHandler(request ->
                        router.vertx.setTimer(300, t -> request.response().end("late")))
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        router.sandbox("default", "slow", "alice", true, "127.0.0.8");
        HttpClient parallel =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            calls.add(parallel.sendAsync(
                    HttpRequest.newBuilder(URI.create(router.url("/" + i)))
                            .headers(routed("default", "slow", slow.actualPort()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            assertThat(call.get(20, TimeUnit.SECONDS).body()).isEqualTo("late");
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(4000L);
        slow.close();
    }

    @Test
    void metricsCountRequestsByStatusAndRememberEachSandboxesLastRequest() throws Exception {
        send("GET", "/", routed("default", "alpha", echo.port(0)));
        send("GET", "/", routed("default", "nope", 8888));
        send("GET", "/", "X-Sandbox-ID", "alpha");
        assertThat(router.registry
                        .get("sandbox.router.requests")
                        .tag("status", "200")
                        .timer()
                        .count())
                .isPositive();
        assertThat(router.registry
                        .get("sandbox.router.requests")
                        .tag("status", "404")
                        .timer()
                        .count())
                .isPositive();
        assertThat(router.registry
                        .get("sandbox.router.requests")
                        .tag("status", "401")
                        .timer()
                        .count())
                .isPositive();
        double last = router.registry
                .get("sandbox.router.last.request")
                .tags("namespace", "default", "sandbox", "alpha")
                .gauge()
                .value();
        assertThat(last).isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(60.0));
        // Every exchange is accounted for, including refused, failed and reset ones (other tests' slow and cut
        // exchanges on this shared router may still be closing on a loaded machine, hence the generous bound).
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> router.registry
                                .get("sandbox.router.active.exchanges")
                                .tag("kind", "http")
                                .gauge()
                                .value()
                        == 0);

        Sandbox gone = router.sandbox("default", "shortlived", "alice", true, "127.0.0.2");
        send("GET", "/", routed("default", "shortlived", echo.port(0)));
        assertThat(router.sandboxes.activity().lastRequestMillis("default/shortlived"))
                .isPositive();
        router.client.resource(gone).delete();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> router.registry
                                .find("sandbox.router.last.request")
                                .tag("sandbox", "shortlived")
                                .gauge()
                        == null);
    }

    @Test
    void chunkedRequestBodiesStreamToTheSandbox() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        HttpRequest request = HttpRequest.newBuilder(URI.create(router.url("/upload")))
                .headers(routed("default", "alpha", echo.port(0)))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).getString("body")).hasSize(big.length);
    }
}
