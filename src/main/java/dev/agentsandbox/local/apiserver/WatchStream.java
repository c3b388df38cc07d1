package dev.agentsandbox.local.apiserver;

import io.fabric8.mockwebserver.http.MockResponse;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * The reply to an HTTP watch. fabric8's {@link MockResponse} carries a whole body; this one is served by
 * {@link ApiFront} on the connection instead: status and headers at once (clients wait for them before they read
 * events), then one JSON event a line as the changes come, until the watch ends.
 */
final class WatchStream extends MockResponse {

    /** A client that lets this much pile up unread is dropped; it resumes from its last version, as from kube. */
    static final int MAX_QUEUED_BYTES = 16 * 1024 * 1024;

    private final WatchRequest watch;
    private final CrudStore store;

    WatchStream(WatchRequest watch, CrudStore store) {
        this.watch = watch;
        this.store = store;
    }

    /** Streams the watch on {@code response}; called on the connection's context. */
    void serve(HttpServerResponse response, Context context) {
        response.setStatusCode(200)
                .putHeader("Content-Type", "application/json")
                .setChunked(true)
                .setWriteQueueMaxSize(MAX_QUEUED_BYTES);
        response.writeHead();
        WatchSession session = new WatchSession(watch, store, new ResponseSink(response), context);
        response.closeHandler(v -> session.end());
        response.exceptionHandler(e -> session.end());
        session.open();
    }

    /** One event a line. */
    private record ResponseSink(HttpServerResponse response) implements WatchSession.Sink {
        @Override
        public void send(String event) {
            if (!response.closed()) {
                response.write(Buffer.buffer(event + "\n"));
            }
        }

        @Override
        public boolean backedUp() {
            return response.writeQueueFull();
        }

        @Override
        public void end() {
            if (!response.ended() && !response.closed()) {
                response.end();
            }
        }
    }
}
