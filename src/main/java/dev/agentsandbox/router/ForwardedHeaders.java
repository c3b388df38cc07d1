package dev.agentsandbox.router;

import dev.agentsandbox.owner.Owner;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.BiConsumer;

/**
 * Which headers cross the router, in each direction. Routing headers, {@code Host}, {@code Authorization},
 * hop-by-hop headers (RFC 9110 7.6.1, plus any named in {@code Connection}) and client-supplied identity
 * ({@code X-Owner}, {@code X-Forwarded-*}) stay behind; the router sets the latter itself. Each direction is one
 * pass over the headers ({@link HeaderNames}), copying what passes into the outgoing map.
 */
public final class ForwardedHeaders {

    private ForwardedHeaders() {}

    /**
     * Copies into {@code to} the headers of {@code request} that a sandbox receives, and adds the router's own:
     * {@code X-Forwarded-For} ends with {@code remote}, the client's address as text (null: unknown).
     * {@code owner} replaces any client {@code X-Owner}; when it is null (shared token, Sandbox without an owner
     * label) the client's value is kept, as upstream does. A relayed WebSocket's handshake is made by the
     * router's client, so with {@code webSocket} its handshake headers are left out. {@code to} starts empty:
     * the router's own headers are added, not set (whatever a client sent under their names was filtered).
     */
    public static MultiMap toSandbox(
            HttpServerRequest request, String remote, String owner, boolean webSocket, MultiMap to) {
        ToSandbox copy = new ToSandbox(to, webSocket);
        request.headers().forEach(copy);
        if (copy.connection != null) {
            removeListed(to, copy.connection);
        }
        String effectiveOwner = owner != null ? owner : copy.clientOwner;
        if (effectiveOwner != null) {
            to.add(Owner.HEADER, effectiveOwner);
        }
        if (remote != null) {
            to.add("X-Forwarded-For", copy.priorForwardedFor == null ? remote : copy.priorForwardedFor + ", " + remote);
        }
        to.add("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
        if (copy.host != null) {
            to.add("X-Forwarded-Host", copy.host);
        }
        return to;
    }

    /** Copies a sandbox's response headers into {@code to}, without hop-by-hop ones. */
    public static void toClient(MultiMap from, MultiMap to) {
        ToClient copy = new ToClient(to);
        from.forEach(copy);
        if (copy.connection != null) {
            removeListed(to, copy.connection);
        }
    }

    /** The request direction: the first value of each header the router reads, everything else filtered. */
    private static final class ToSandbox implements BiConsumer<String, String> {
        private final MultiMap to;
        private final boolean webSocket;
        String connection;
        String host;
        String priorForwardedFor;
        String clientOwner;

        ToSandbox(MultiMap to, boolean webSocket) {
            this.to = to;
            this.webSocket = webSocket;
        }

        @Override
        public void accept(String name, String value) {
            switch (HeaderNames.kind(name)) {
                case HeaderNames.OTHER -> to.add(name, value);
                case HeaderNames.WEBSOCKET_HANDSHAKE -> {
                    if (!webSocket) {
                        to.add(name, value);
                    }
                }
                case HeaderNames.CONNECTION -> connection = connection == null ? value : connection;
                case HeaderNames.HOST -> host = host == null ? value : host;
                case HeaderNames.X_FORWARDED_FOR -> priorForwardedFor =
                        priorForwardedFor == null ? value : priorForwardedFor;
                case HeaderNames.X_OWNER -> clientOwner = clientOwner == null ? value : clientOwner;
                default -> {
                    // routing, Authorization, hop-by-hop, client identity: stay behind
                }
            }
        }
    }

    /** The response direction: everything but hop-by-hop headers and the router's own {@code X-Sandbox-Woken}. */
    private static final class ToClient implements BiConsumer<String, String> {
        private final MultiMap to;
        String connection;

        ToClient(MultiMap to) {
            this.to = to;
        }

        @Override
        public void accept(String name, String value) {
            switch (HeaderNames.kind(name)) {
                case HeaderNames.CONNECTION -> connection = connection == null ? value : connection;
                case HeaderNames.HOP_BY_HOP, HeaderNames.SANDBOX_WOKEN -> {
                    // not forwarded; the router sets its own X-Sandbox-Woken
                }
                default -> to.add(name, value);
            }
        }
    }

    private static void removeListed(MultiMap headers, String connection) {
        int start = 0;
        while (start <= connection.length()) {
            int comma = connection.indexOf(',', start);
            int end = comma < 0 ? connection.length() : comma;
            String token = connection.substring(start, end).trim();
            if (!token.isEmpty() && !token.equalsIgnoreCase("close") && !token.equalsIgnoreCase("keep-alive")) {
                headers.remove(token);
            }
            start = end + 1;
        }
    }
}
