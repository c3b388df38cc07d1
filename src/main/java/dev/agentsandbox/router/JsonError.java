package dev.agentsandbox.router;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * The router's own answers: {@code {"detail": "..."}} errors, as upstream's FastAPI router sends them, with a
 * {@code "state"} when a sandbox is waking or suspended.
 */
final class JsonError {

    private JsonError() {}

    /** Answers {@code rejection}; when the response has already started, the only honest signal left is a reset. */
    static void send(HttpServerResponse response, RouteRejection rejection) {
        if (response.headWritten()) {
            response.reset();
            return;
        }
        response.setStatusCode(rejection.status()).putHeader("Content-Type", "application/json");
        if (rejection.retryAfterSeconds() > 0) {
            response.putHeader("Retry-After", Integer.toString(rejection.retryAfterSeconds()));
        }
        if (rejection.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer");
        }
        JsonObject body = new JsonObject().put("detail", rejection.detail());
        if (rejection.state() != null) {
            body.put("state", rejection.state());
        }
        response.end(body.encode());
    }
}
