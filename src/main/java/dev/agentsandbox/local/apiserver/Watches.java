package dev.agentsandbox.local.apiserver;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Locale;

/**
 * Watches, over HTTP (chunked, one JSON event a line: kubectl, client-go, the Python client) or over a WebSocket
 * (fabric8 clients), both served from the store's {@link WatchCache} by a {@link WatchSession}. A watch that cannot
 * start is refused before its stream opens, with the status kube-apiserver gives.
 */
final class Watches {

    private final CrudStore store;

    Watches(CrudStore store) {
        this.store = store;
    }

    /** The reply that opens the watch {@code rp} asks for; an {@link ApiException} when it cannot start. */
    MockResponse open(RecordedRequest request, ResourcePath rp, ResourceType type) {
        WatchRequest watch = WatchRequest.of(rp, type, TableView.asked(request.getHeader("Accept")));
        if (watch.start() == WatchRequest.Start.CHANGES_SINCE) {
            checkServable(watch);
        }
        String upgrade = request.getHeader("Upgrade");
        if (upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket")) {
            return new MockResponse().withWebSocketUpgrade(overWebSocket(watch));
        }
        return new WatchStream(watch, store);
    }

    /**
     * A version the store has not reached gets kube-apiserver's 504 "Too large resource version" (a client that kept
     * a version across a restart of local mode relists); one whose changes are no longer kept gets 410 Expired.
     */
    private void checkServable(WatchRequest watch) {
        long current = CrudStore.json(store.get(watch.resource().collectionPath()))
                .path("metadata")
                .path("resourceVersion")
                .asLong();
        if (watch.resourceVersion() > current) {
            throw new ApiException(
                    504,
                    "Timeout",
                    "Too large resource version: " + watch.resourceVersion() + ", current: " + current,
                    List.of(new ApiException.FieldCause("ResourceVersionTooLarge", "Too large resource version", "")));
        }
        store.changes().checkKept(watch.resource(), watch.resourceVersion());
    }

    private WebSocketListener overWebSocket(WatchRequest watch) {
        return new WebSocketListener() {
            private WatchSession session;

            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                session = new WatchSession(watch, store, new WebSocketSink(webSocket), Vertx.currentContext());
                session.open();
            }

            @Override
            public void onClosed(WebSocket webSocket, int code, String reason) {
                endSession();
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable error, Response response) {
                endSession();
            }

            private void endSession() {
                if (session != null) {
                    session.end();
                }
            }
        };
    }

    /** One event a WebSocket message, as kube-apiserver sends them. */
    private record WebSocketSink(WebSocket webSocket) implements WatchSession.Sink {
        @Override
        public void send(String event) {
            webSocket.send(event);
        }

        @Override
        public boolean backedUp() {
            return false;
        }

        @Override
        public void end() {
            webSocket.close(1000, "watch ended");
        }
    }
}
