package dev.agentsandbox.router;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** The router's own answers: {@code {"detail": "..."}} errors, as upstream's FastAPI router sends them. */
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
        response.end(new JsonObject().put("detail", rejection.detail()).encode());
    }
}
