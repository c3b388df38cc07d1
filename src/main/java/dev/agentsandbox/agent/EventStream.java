package dev.agentsandbox.agent;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * A reply sent as Server-Sent Events: {@code event: token} for each piece ({@code {"text": ...}}), then
 * {@code event: done} with the same body as {@code /chat}, or {@code event: error} with {@code {"detail", "status"}}.
 * The status line is held back until the first piece arrives, so a model that fails before saying anything is
 * answered with a plain 502/504 JSON error like {@code /chat}. Everything is written on the request's event loop,
 * in the order the model produced it.
 */
class EventStream implements ReplyStream {

    private final HttpServerResponse response;
    private final Context context;
    private boolean started;

    EventStream(HttpServerResponse response, Context context) {
        this.response = response;
        this.context = context;
    }

    @Override
    public void token(String text) {
        context.runOnContext(v -> send("token", new JsonObject().put("text", text)));
    }

    @Override
    public boolean open() {
        return !response.closed();
    }

    void done(JsonObject reply) {
        context.runOnContext(v -> {
            send("done", reply);
            end();
        });
    }

    void fail(AgentFailure failure) {
        context.runOnContext(v -> {
            if (!started) {
                AgentRoutes.fail(response, failure);
                return;
            }
            send("error", new JsonObject().put("detail", failure.detail()).put("status", failure.status()));
            end();
        });
    }

    private void send(String event, JsonObject data) {
        if (response.ended() || response.closed()) {
            return;
        }
        if (!started) {
            started = true;
            response.setStatusCode(200)
                    .setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    // Tells buffering proxies (nginx and the like) to pass each event on at once.
                    .putHeader("X-Accel-Buffering", "no");
        }
        response.write("event: " + event + "\ndata: " + data.encode() + "\n\n");
    }

    private void end() {
        if (!response.ended() && !response.closed()) {
            response.end();
        }
    }
}
