package dev.agentsandbox.router;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Stand-in sandboxes: HTTP servers on loopback addresses that answer with what they received, as JSON. */
public record Backends(List<HttpServer> servers) {

    public static HttpServer echo(Vertx vertx, String host) throws Exception {
        return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(0))
                .requestHandler(request -> request.body().onSuccess(body -> {
                    JsonObject headers = new JsonObject();
                    request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
                    JsonObject reply = new JsonObject()
                            .put("backend", host + ":" + request.localAddress().port())
                            .put("method", request.method().name())
                            .put("uri", request.uri())
                            .put("headers", headers)
                            .put("body", body.toString());
                    request.response()
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Connection", "keep-alive, X-Hop")
                            .putHeader("X-Hop", "secret-hop")
                            .putHeader("X-Backend", host)
                            .end(reply.encode());
                }))
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    public int port(int index) {
        return servers.get(index).actualPort();
    }
}
