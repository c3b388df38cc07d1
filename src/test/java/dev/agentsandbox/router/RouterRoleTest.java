package dev.agentsandbox.router;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import dev.agentsandbox.owner.token.OwnerTokens;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The packaged wiring: in the router role the router's own listener routes, and Quarkus's listener (the management
 * port) answers health and metrics but routes nothing.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(RouterRoleTest.RouterRole.class)
class RouterRoleTest {

    /** Router role with per-owner tokens only. */
    public static class RouterRole implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "sandbox.role",
                    "router",
                    "sandbox.router.owner-tokens.enabled",
                    "true",
                    "sandbox.router.port",
                    "0");
        }
    }

    @Inject
    KubernetesClient client;

    @Inject
    Vertx vertx;

    @Inject
    RouterLifecycle router;

    private int routerPort() {
        return router.server().port();
    }

    @Test
    void vertxRunsOnEpollOnLinux() {
        // quarkus.vertx.prefer-native-transport and the netty-transport-native-epoll jars (x86_64 and aarch64):
        // without either, Vert.x silently runs on Java NIO (docs/router.md)
        String arch = System.getProperty("os.arch");
        boolean epollBuilt =
                System.getProperty("os.name").startsWith("Linux") && (arch.equals("amd64") || arch.equals("aarch64"));
        assertThat(vertx.isNativeTransportEnabled())
                .as("native transport on %s/%s", System.getProperty("os.name"), arch)
                .isEqualTo(epollBuilt);
    }

    @Test
    void relaysAWebSocketThroughTheQuarkusRoute() throws Exception {
        HttpServer backend = vertx.createHttpServer(
                        new HttpServerOptions().setHost("127.0.0.3").setPort(0))
                .webSocketHandler(ws -> ws.textMessageHandler(
                        t -> ws.writeTextMessage(ws.headers().get("X-Owner") + ":" + t)))
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        Sandbox sandbox = new Sandbox();
        sandbox.setMetadata(new ObjectMetaBuilder()
                .withName("wsagent")
                .withNamespace("demo")
                .withLabels(Map.of(Labels.OWNER, "bob"))
                .build());
        Sandbox created = client.resources(Sandbox.class)
                .inNamespace("demo")
                .resource(sandbox)
                .create();
        SandboxStatus status = new SandboxStatus();
        status.setConditions(
                Conditions.with(null, Conditions.READY, true, Conditions.DEPENDENCIES_READY, "", 1L, Instant.now()));
        status.setPodIPs(List.of("127.0.0.3"));
        created.setStatus(status);
        client.resources(Sandbox.class).inNamespace("demo").resource(created).updateStatus();
        String token = OwnerTokens.issue(client, OwnerTokens.DEFAULT_NAMESPACE, OwnerTokens.DEFAULT_SECRET_NAME, "bob");
        java.util.concurrent.CompletableFuture<String> reply = new java.util.concurrent.CompletableFuture<>();
        Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .header("X-Sandbox-ID", "wsagent")
                    .header("X-Sandbox-Namespace", "demo")
                    .header("X-Sandbox-Port", Integer.toString(backend.actualPort()))
                    .buildAsync(
                            java.net.URI.create("ws://127.0.0.1:" + routerPort() + "/ws"),
                            new java.net.http.WebSocket.Listener() {
                                @Override
                                public java.util.concurrent.CompletionStage<?> onText(
                                        java.net.http.WebSocket ws, CharSequence data, boolean last) {
                                    reply.complete(data.toString());
                                    return null;
                                }
                            })
                    .get(10, TimeUnit.SECONDS);
            socket.sendText("hi", true).get(5, TimeUnit.SECONDS);
        });
        assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("bob:hi");
        backend.close();
    }

    @Test
    void healthzHealthAndMetricsAnswer() {
        given().port(routerPort()).get("/healthz").then().statusCode(200).body("status", equalTo("ok"));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/ready")
                .then()
                .log()
                .ifValidationFails()
                .statusCode(200));
        given().port(routerPort())
                .header("X-Sandbox-ID", "nobody")
                .get("/")
                .then()
                .statusCode(401);
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains("sandbox_router_requests_seconds_count{status=\"401\"}")
                .contains("sandbox_router_active_exchanges");
    }

    @Test
    void routesAnOwnersRequestToItsSandbox() throws Exception {
        HttpServer backend = vertx.createHttpServer(
                        new HttpServerOptions().setHost("127.0.0.2").setPort(0))
                .requestHandler(r -> r.response().end(r.uri() + " owner=" + r.getHeader("X-Owner")))
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        Sandbox sandbox = new Sandbox();
        sandbox.setMetadata(new ObjectMetaBuilder()
                .withName("agent")
                .withNamespace("demo")
                .withLabels(Map.of(Labels.OWNER, "alice"))
                .build());
        Sandbox created = client.resources(Sandbox.class)
                .inNamespace("demo")
                .resource(sandbox)
                .create();
        SandboxStatus status = new SandboxStatus();
        status.setConditions(
                Conditions.with(null, Conditions.READY, true, Conditions.DEPENDENCIES_READY, "", 1L, Instant.now()));
        status.setPodIPs(List.of("127.0.0.2"));
        created.setStatus(status);
        client.resources(Sandbox.class).inNamespace("demo").resource(created).updateStatus();
        String token =
                OwnerTokens.issue(client, OwnerTokens.DEFAULT_NAMESPACE, OwnerTokens.DEFAULT_SECRET_NAME, "alice");
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().port(routerPort())
                .header("Authorization", "Bearer " + token)
                .header("X-Sandbox-ID", "agent")
                .header("X-Sandbox-Namespace", "demo")
                .header("X-Sandbox-Port", backend.actualPort())
                .header("X-Owner", "mallory")
                .get("/chat?x=1")
                .then()
                .statusCode(200)
                .body(equalTo("/chat?x=1 owner=alice")));
        // A request that names a sandbox reaches it even on a /q/ path of the router's listener...
        given().port(routerPort())
                .header("Authorization", "Bearer " + token)
                .header("X-Sandbox-ID", "agent")
                .header("X-Sandbox-Namespace", "demo")
                .header("X-Sandbox-Port", backend.actualPort())
                .get("/q/health")
                .then()
                .statusCode(200)
                .body(equalTo("/q/health owner=alice"));
        // ...and the management listener routes nothing, whatever the headers say.
        given().header("Authorization", "Bearer " + token)
                .header("X-Sandbox-ID", "agent")
                .header("X-Sandbox-Namespace", "demo")
                .header("X-Sandbox-Port", backend.actualPort())
                .get("/chat")
                .then()
                .statusCode(404);
        backend.close();
    }
}
