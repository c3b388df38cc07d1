package dev.agentsandbox.local.apiserver;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The embedded API server's HTTP front: every request goes to the {@link ApiDispatcher}. fabric8's mock server
 * handler writes the replies of all but one kind (WebSocket upgrades included); an HTTP watch, whose reply is a
 * stream fabric8's cannot write, is served here on the connection ({@link WatchStream}).
 */
final class ApiFront implements Handler<HttpServerRequest> {

    private final ApiDispatcher dispatcher;
    private final HttpServerRequestHandler replies;

    ApiFront(Vertx vertx, ApiDispatcher dispatcher) {
        this.dispatcher = dispatcher;
        this.replies = new HttpServerRequestHandler(vertx) {
            @Override
            protected MockResponse onHttpRequest(RecordedRequest request) {
                return dispatcher.dispatch(request);
            }
        };
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (!isHttpWatch(request)) {
            replies.handle(request);
            return;
        }
        MockResponse reply = dispatcher.dispatch(new RecordedRequest(
                request.version().alpnName().toUpperCase(Locale.ROOT),
                HttpMethod.GET,
                request.uri(),
                Headers.builder().addAll(request.headers()).build(),
                new Buffer(null)));
        if (reply instanceof WatchStream stream) {
            stream.serve(request.response(), Vertx.currentContext());
        } else {
            send(reply, request.response());
        }
    }

    /** A GET of a collection or object with {@code watch=true} (or 1) that is not a WebSocket upgrade. */
    private static boolean isHttpWatch(HttpServerRequest request) {
        if (request.method() != io.vertx.core.http.HttpMethod.GET) {
            return false;
        }
        String upgrade = request.getHeader("Upgrade");
        if (upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket")) {
            return false;
        }
        ResourcePath rp = ResourcePath.parse(request.uri());
        return rp != null && rp.isWatch();
    }

    /** A reply other than a stream (a watch refused: 401, 410, 422, an injected fault). */
    private static void send(MockResponse reply, HttpServerResponse response) {
        response.setStatusCode(reply.code());
        for (Map.Entry<String, List<String>> header :
                reply.getHeaders().toMultimap().entrySet()) {
            response.headers().add(header.getKey(), header.getValue());
        }
        byte[] body = reply.getBody() == null ? new byte[0] : reply.getBody().getBytes();
        response.end(io.vertx.core.buffer.Buffer.buffer(body));
    }
}
