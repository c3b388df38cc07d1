package dev.agentsandbox.router;

import io.vertx.core.net.SocketAddress;

/**
 * What the router keeps per client connection, touched only on the connection's event loop: its deadline (see
 * {@link RouterServer}), its address as text (worked out once, not per request) and the caller its last request
 * authenticated as, so that the next request with the same {@code Authorization} value is not hashed again.
 */
public final class ClientConnection {

    /** When the connection must have sent a complete request head; {@code Long.MAX_VALUE} while one is in flight. */
    long deadline;
    /** Requests in flight (more than one when pipelined). */
    int active;

    private final String remoteHost;

    private String authorization;
    private Caller caller;
    private long authVersion;

    ClientConnection(SocketAddress remote) {
        this.remoteHost = remote == null ? null : remote.hostAddress();
    }

    /** The client's address as text, or null when unknown (e.g. a Unix socket). */
    public String remoteHost() {
        return remoteHost;
    }

    /**
     * The caller the previous request on this connection authenticated as, when it sent exactly {@code
     * authorization} and the tokens have not changed since ({@code version}); else null. The values are compared in
     * constant time: they hold a token.
     */
    Caller rememberedCaller(String authorization, long version) {
        String known = this.authorization;
        if (known == null || authorization == null || version != authVersion) {
            return null;
        }
        return sameText(known, authorization) ? caller : null;
    }

    /** Remembers a successful authentication for the next request on this connection. */
    void remember(String authorization, Caller caller, long version) {
        this.authorization = authorization;
        this.caller = caller;
        this.authVersion = version;
    }

    /** Equal text, in time that depends only on the lengths (no early exit on the first difference). */
    static boolean sameText(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        int difference = 0;
        for (int i = 0; i < a.length(); i++) {
            difference |= a.charAt(i) ^ b.charAt(i);
        }
        return difference == 0;
    }
}
