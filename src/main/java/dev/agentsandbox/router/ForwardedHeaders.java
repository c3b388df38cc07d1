package dev.agentsandbox.router;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

/**
 * Which headers cross the router, in each direction. Routing headers, {@code Host}, {@code Authorization},
 * hop-by-hop headers (RFC 9110 7.6.1, plus any named in {@code Connection}) and client-supplied identity
 * ({@code X-Owner}, {@code X-Forwarded-*}) stay behind; the router sets the latter itself.
 */
public final class ForwardedHeaders {

    public static final String X_OWNER = "X-Owner";

    private static final Set<String> HOP_BY_HOP = caseInsensitive("Connection", "Keep-Alive", "Proxy-Authenticate",
            "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer", "Trailers", "Transfer-Encoding", "Upgrade");
    private static final Set<String> NOT_TO_SANDBOX = caseInsensitive("Host", "Authorization", X_OWNER,
            "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded");
    /** The handshake of a relayed WebSocket is made by the router's own client, not copied. */
    private static final Set<String> WEBSOCKET_HANDSHAKE = caseInsensitive("Sec-WebSocket-Key",
            "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol");

    static {
        NOT_TO_SANDBOX.addAll(HOP_BY_HOP);
        RoutingHeaders.ALL.forEach(NOT_TO_SANDBOX::add);
    }

    private ForwardedHeaders() {
    }

    /** The headers a sandbox receives for {@code request}; {@code owner} replaces any client {@code X-Owner}. */
    public static MultiMap toSandbox(HttpServerRequest request, String owner, boolean webSocket) {
        MultiMap in = request.headers();
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        Set<String> connectionListed = connectionTokens(in.get("Connection"));
        String clientOwner = null;
        for (Map.Entry<String, String> header : in) {
            String name = header.getKey();
            if (NOT_TO_SANDBOX.contains(name) || (webSocket && WEBSOCKET_HANDSHAKE.contains(name))
                    || (connectionListed != null && connectionListed.contains(name))) {
                if (clientOwner == null && X_OWNER.equalsIgnoreCase(name)) {
                    clientOwner = header.getValue();
                }
                continue;
            }
            out.add(name, header.getValue());
        }
        // A sandbox without an owner label, reached with the shared token, keeps the client's X-Owner (upstream
        // behaviour); everywhere else the router states the owner and nobody else can.
        String effectiveOwner = owner != null ? owner : clientOwner;
        if (effectiveOwner != null) {
            out.set(X_OWNER, effectiveOwner);
        }
        String remote = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        String prior = in.get("X-Forwarded-For");
        if (remote != null) {
            out.set("X-Forwarded-For", prior == null ? remote : prior + ", " + remote);
        }
        out.set("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
        String host = in.get("Host");
        if (host != null) {
            out.set("X-Forwarded-Host", host);
        }
        return out;
    }

    /** Copies a sandbox's response headers, dropping hop-by-hop ones. */
    public static void toClient(MultiMap from, MultiMap to) {
        Set<String> connectionListed = connectionTokens(from.get("Connection"));
        for (Map.Entry<String, String> header : from) {
            String name = header.getKey();
            if (HOP_BY_HOP.contains(name) || (connectionListed != null && connectionListed.contains(name))) {
                continue;
            }
            to.add(name, header.getValue());
        }
    }

    private static Set<String> connectionTokens(String connection) {
        if (connection == null) {
            return null;
        }
        Set<String> tokens = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String token : connection.split(",")) {
            if (!token.isBlank()) {
                tokens.add(token.trim());
            }
        }
        tokens.remove("close");
        tokens.remove("keep-alive");
        return tokens.isEmpty() ? null : tokens;
    }

    private static Set<String> caseInsensitive(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(Set.of(names));
        return set;
    }
}
