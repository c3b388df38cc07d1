package dev.agentsandbox.router;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * Which headers cross the router, in each direction. Routing headers, {@code Host}, {@code Authorization},
 * hop-by-hop headers (RFC 9110 7.6.1, plus any named in {@code Connection}) and client-supplied identity
 * ({@code X-Owner}, {@code X-Forwarded-*}) stay behind; the router sets the latter itself. The maps are edited in
 * place: removing a few names by hash is cheaper on the hot path than filtering every header by name.
 */
public final class ForwardedHeaders {

    public static final String X_OWNER = "X-Owner";

    private static final List<String> HOP_BY_HOP = List.of(
            "Connection",
            "Keep-Alive",
            "Proxy-Authenticate",
            "Proxy-Authorization",
            "Proxy-Connection",
            "TE",
            "Trailer",
            "Trailers",
            "Transfer-Encoding",
            "Upgrade");
    private static final List<String> IDENTITY = List.of(
            "Host",
            "Authorization",
            X_OWNER,
            "X-Forwarded-For",
            "X-Forwarded-Proto",
            "X-Forwarded-Host",
            "Forwarded",
            "Expect");
    /**
     * The handshake of a relayed WebSocket is made by the router's own client, not copied. A handshake has no body:
     * a copied {@code Content-Length: 0} (java.net.http sends one) makes some servers treat it as a plain request.
     */
    private static final List<String> WEBSOCKET_HANDSHAKE = List.of(
            "Sec-WebSocket-Key",
            "Sec-WebSocket-Version",
            "Sec-WebSocket-Extensions",
            "Sec-WebSocket-Accept",
            "Sec-WebSocket-Protocol",
            "Content-Length");

    private ForwardedHeaders() {}

    /**
     * Turns {@code request}'s headers into those a sandbox receives. For plain HTTP the request's own map is reused
     * (nothing reads it afterwards); a WebSocket upgrade still needs its handshake headers, so it gets a copy. {@code owner} replaces any client {@code X-Owner}; when it is null (shared token, Sandbox
     * without an owner label) the client's value is kept, as upstream does.
     */
    public static MultiMap toSandbox(HttpServerRequest request, String owner, boolean webSocket) {
        MultiMap headers = webSocket ? MultiMap.caseInsensitiveMultiMap().addAll(request.headers()) : request.headers();
        String connection = headers.get("Connection");
        String host = headers.get("Host");
        String priorForwardedFor = headers.get("X-Forwarded-For");
        String clientOwner = owner == null ? headers.get(X_OWNER) : null;
        if (connection != null) {
            removeListed(headers, connection);
        }
        removeAll(headers, HOP_BY_HOP);
        removeAll(headers, IDENTITY);
        removeAll(headers, RoutingHeaders.ALL);
        if (webSocket) {
            removeAll(headers, WEBSOCKET_HANDSHAKE);
        }
        String effectiveOwner = owner != null ? owner : clientOwner;
        if (effectiveOwner != null) {
            headers.set(X_OWNER, effectiveOwner);
        }
        String remote =
                request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        if (remote != null) {
            headers.set("X-Forwarded-For", priorForwardedFor == null ? remote : priorForwardedFor + ", " + remote);
        }
        headers.set("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
        if (host != null) {
            headers.set("X-Forwarded-Host", host);
        }
        return headers;
    }

    /** Copies a sandbox's response headers into {@code to}, without hop-by-hop ones. */
    public static void toClient(MultiMap from, MultiMap to) {
        to.addAll(from);
        String connection = from.get("Connection");
        if (connection != null) {
            removeListed(to, connection);
        }
        removeAll(to, HOP_BY_HOP);
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

    private static void removeAll(MultiMap headers, List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            headers.remove(names.get(i));
        }
    }
}
