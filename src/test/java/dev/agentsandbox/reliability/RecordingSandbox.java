package dev.agentsandbox.reliability;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in sandbox on a loopback address that records every request it receives (address, URI, headers) and
 * answers with what it saw as JSON (after {@code ?delay=<ms>} when asked), so a test can count requests and check what the router forwarded.
 */
final class RecordingSandbox implements AutoCloseable {

    /** One request as the sandbox received it. */
    record Received(String host, int port, String uri, MultiMap headers) {}

    final String host;
    final Queue<Received> received = new ConcurrentLinkedQueue<>();
    private final HttpServer server;

    RecordingSandbox(Vertx vertx, String host) throws Exception {
        this.host = host;
        this.server = vertx.createHttpServer(
                        new HttpServerOptions().setHost(host).setPort(0))
                .requestHandler(request -> request.body().onSuccess(body -> {
                    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
                    received.add(new Received(
                            request.localAddress().hostAddress(),
                            request.localAddress().port(),
                            request.uri(),
                            headers));
                    JsonObject reply = new JsonObject()
                            .put("uri", request.uri())
                            .put("owner", request.getHeader("X-Owner"))
                            .put("authorization", request.getHeader("Authorization"))
                            .put("bodyBytes", body.length());
                    // "?delay=<ms>" makes this sandbox take that long to answer
                    String delay = request.getParam("delay");
                    Runnable answer = () -> request.response()
                            .putHeader("Content-Type", "application/json")
                            .end(reply.encode());
                    if (delay == null) {
                        answer.run();
                    } else {
                        vertx.setTimer(Long.parseLong(delay), t -> answer.run());
                    }
                }))
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
