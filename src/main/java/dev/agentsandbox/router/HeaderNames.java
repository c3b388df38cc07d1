package dev.agentsandbox.router;

import dev.agentsandbox.owner.Owner;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * The header names the router acts on, each with its role, looked up case-insensitively in one step per header:
 * candidates are bucketed by length, so a name costs a length check and at most a few comparisons, with no hash
 * and no allocation. The router reads and filters every request's and response's headers in single passes over
 * them with this table, instead of one hashed lookup or removal per name it knows (about 25 per request).
 */
final class HeaderNames {

    /** Not a name the router knows: forwarded as it is. */
    static final int OTHER = 0;

    static final int SANDBOX_ID = 1;
    static final int SANDBOX_NAMESPACE = 2;
    static final int SANDBOX_PORT = 3;
    static final int SANDBOX_POD_IP = 4;
    static final int SANDBOX_TIMEOUT = 5;
    static final int SANDBOX_WAKE = 6;
    static final int AUTHORIZATION = 7;
    static final int HOST = 8;
    static final int CONNECTION = 9;
    static final int X_FORWARDED_FOR = 10;
    static final int X_OWNER = 11;
    /** Hop-by-hop (RFC 9110 7.6.1): never forwarded in either direction. */
    static final int HOP_BY_HOP = 12;
    /** Identity and forwarding headers a client may not set: the router sets its own. */
    static final int CLIENT_IDENTITY = 13;
    /** Part of a WebSocket handshake: made by the router's own client when relaying, so never copied then. */
    static final int WEBSOCKET_HANDSHAKE = 14;
    /** The router's own answer header: never taken from a sandbox's answer. */
    static final int SANDBOX_WOKEN = 15;

    private static final String[][] NAMES;
    private static final int[][] KINDS;

    static {
        List<String> names = new ArrayList<>();
        List<Integer> kinds = new ArrayList<>();
        add(names, kinds, SANDBOX_ID, RoutingHeaders.SANDBOX_ID);
        add(names, kinds, SANDBOX_NAMESPACE, RoutingHeaders.SANDBOX_NAMESPACE);
        add(names, kinds, SANDBOX_PORT, RoutingHeaders.SANDBOX_PORT);
        add(names, kinds, SANDBOX_POD_IP, RoutingHeaders.SANDBOX_POD_IP);
        add(names, kinds, SANDBOX_TIMEOUT, RoutingHeaders.SANDBOX_TIMEOUT);
        add(names, kinds, SANDBOX_WAKE, RoutingHeaders.SANDBOX_WAKE);
        add(names, kinds, SANDBOX_WOKEN, RoutingHeaders.SANDBOX_WOKEN);
        add(names, kinds, AUTHORIZATION, "Authorization");
        add(names, kinds, HOST, "Host");
        add(names, kinds, CONNECTION, "Connection");
        add(names, kinds, X_FORWARDED_FOR, "X-Forwarded-For");
        add(names, kinds, X_OWNER, Owner.HEADER);
        add(
                names,
                kinds,
                HOP_BY_HOP,
                "Keep-Alive",
                "Proxy-Authenticate",
                "Proxy-Authorization",
                "Proxy-Connection",
                "TE",
                "Trailer",
                "Trailers",
                "Transfer-Encoding",
                "Upgrade");
        add(names, kinds, CLIENT_IDENTITY, "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded", "Expect");
        add(
                names,
                kinds,
                WEBSOCKET_HANDSHAKE,
                "Sec-WebSocket-Key",
                "Sec-WebSocket-Version",
                "Sec-WebSocket-Extensions",
                "Sec-WebSocket-Accept",
                "Sec-WebSocket-Protocol",
                "Content-Length");
        int longest = names.stream().mapToInt(String::length).max().orElse(0);
        NAMES = new String[longest + 1][];
        KINDS = new int[longest + 1][];
        for (int length = 0; length <= longest; length++) {
            List<String> sameLength = new ArrayList<>();
            List<Integer> sameKinds = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).length() == length) {
                    sameLength.add(names.get(i));
                    sameKinds.add(kinds.get(i));
                }
            }
            NAMES[length] = sameLength.toArray(String[]::new);
            KINDS[length] = sameKinds.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private HeaderNames() {}

    private static void add(List<String> names, List<Integer> kinds, int kind, String... values) {
        for (String value : values) {
            names.add(value);
            kinds.add(kind);
        }
    }

    /** The role of header {@code name} (any case), or {@link #OTHER}. */
    static int kind(CharSequence name) {
        int length = name.length();
        if (length >= NAMES.length) {
            return OTHER;
        }
        String[] candidates = NAMES[length];
        for (int i = 0; i < candidates.length; i++) {
            if (AsciiString.contentEqualsIgnoreCase(name, candidates[i])) {
                return KINDS[length][i];
            }
        }
        return OTHER;
    }
}
