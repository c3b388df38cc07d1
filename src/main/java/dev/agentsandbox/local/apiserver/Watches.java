package dev.agentsandbox.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.Locale;
import java.util.function.Predicate;

/** WebSocket watches, also told of the objects that left their selection after the resourceVersion they start at. */
final class Watches {

    private final CrudStore store;

    Watches(CrudStore store) {
        this.store = store;
    }

    MockResponse open(RecordedRequest request, ResourcePath rp) {
        String upgrade = request.getHeader("Upgrade");
        if (upgrade == null || !upgrade.toLowerCase(Locale.ROOT).contains("websocket")) {
            throw new ApiException(
                    405,
                    "MethodNotAllowed",
                    "the embedded API server serves watches over "
                            + "WebSocket only; HTTP streaming watches (kubectl get -w) are not supported");
        }
        return withDepartures(store.get(request.getPath()), rp);
    }

    /**
     * A watch from a resourceVersion also gets DELETED for each object that was in its selection after that version
     * and no longer is (deleted, or relabelled out of it); see {@link Departures}. Sent while the store takes no
     * write, right after the store's own listener has queued the objects that match now.
     */
    private MockResponse withDepartures(MockResponse watch, ResourcePath rp) {
        WebSocketListener inner = watch.getWebSocketListener();
        long since = startVersion(rp);
        if (inner == null || since <= 0) {
            return watch;
        }
        Predicate<JsonNode> selected = Selectors.of(rp);
        return watch.withWebSocketUpgrade(new WebSocketListener() {
            @Override
            public void onBeforeAccept(WebSocket webSocket, Response response) {
                inner.onBeforeAccept(webSocket, response);
            }

            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                store.betweenWrites(() -> {
                    inner.onOpen(webSocket, response);
                    sendDepartures(webSocket, since, rp, selected);
                });
            }

            @Override
            public void onMessage(WebSocket webSocket, String text) {
                inner.onMessage(webSocket, text);
            }

            @Override
            public void onMessage(WebSocket webSocket, byte[] bytes) {
                inner.onMessage(webSocket, bytes);
            }

            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                inner.onClosing(webSocket, code, reason);
            }

            @Override
            public void onClosed(WebSocket webSocket, int code, String reason) {
                inner.onClosed(webSocket, code, reason);
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable error, Response response) {
                inner.onFailure(webSocket, error, response);
            }
        });
    }

    private static long startVersion(ResourcePath rp) {
        try {
            return Long.parseLong(rp.query().getOrDefault("resourceVersion", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void sendDepartures(WebSocket webSocket, long since, ResourcePath rp, Predicate<JsonNode> selected) {
        for (Departures.Departure d : store.departuresSince(since, rp)) {
            if (!selected.test(d.before())) {
                continue;
            }
            JsonNode now = store.stored(d.path().objectPath());
            if (now != null && selected.test(now)) {
                continue; // still selected: the store's listener sends it as it is now
            }
            ObjectNode event = ApiStatus.JSON.createObjectNode().put("type", "DELETED");
            event.set("object", d.before());
            webSocket.send(event.toString());
        }
    }
}
