package dev.agentsandbox.router;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Turns an {@code Authorization} header into a {@link Caller}. Modes: the shared {@code ROUTER_AUTH_TOKEN}
 * (compared in constant time), per-owner tokens from {@link OwnerTokenStore}, both at once, or none when the
 * router was deliberately started open.
 */
public final class CallerAuthenticator {

    private static final String BEARER = "Bearer ";
    /** The owner-token Secret is read within about a second of start-up. */
    private static final int LOADING_RETRY_SECONDS = 1;

    private final byte[] sharedTokenHash;
    private final OwnerTokenStore ownerTokens;

    private CallerAuthenticator(byte[] sharedTokenHash, OwnerTokenStore ownerTokens) {
        this.sharedTokenHash = sharedTokenHash;
        this.ownerTokens = ownerTokens;
    }

    /**
     * Builds the authenticator, or refuses when the router would be open without having been told so explicitly.
     *
     * @param ownerTokens null when per-owner tokens are off
     */
    public static CallerAuthenticator of(
            Optional<String> sharedToken, OwnerTokenStore ownerTokens, boolean allowUnauthenticated) {
        byte[] shared = sharedToken
                .filter(t -> !t.isBlank())
                .map(CallerAuthenticator::sha256)
                .orElse(null);
        if (shared == null && ownerTokens == null && !allowUnauthenticated) {
            throw new IllegalStateException("the router refuses to start without authentication: set "
                    + "ROUTER_AUTH_TOKEN (a shared bearer token), or enable per-owner tokens "
                    + "(SANDBOX_ROUTER_OWNER_TOKENS_ENABLED=true), or set ALLOW_UNAUTHENTICATED_ROUTER=true "
                    + "to run an open router on purpose");
        }
        return new CallerAuthenticator(shared, ownerTokens);
    }

    /** True when requests need no token at all. */
    public boolean open() {
        return sharedTokenHash == null && ownerTokens == null;
    }

    /**
     * As {@link #authenticate(String)}, without hashing again when the previous request on {@code connection} sent
     * the same value and the owner tokens have not changed since (a rotated or revoked token is checked afresh).
     */
    public Caller authenticate(String authorization, ClientConnection connection) {
        long version = ownerTokens == null ? 0 : ownerTokens.version();
        Caller remembered = connection.rememberedCaller(authorization, version);
        if (remembered != null) {
            return remembered;
        }
        Caller caller = authenticate(authorization);
        if (authorization != null) {
            connection.remember(authorization, caller, version);
        }
        return caller;
    }

    /** The caller behind {@code authorization} (the raw header value, possibly null), or a 401 rejection. */
    public Caller authenticate(String authorization) {
        if (open()) {
            return Caller.UNBOUND;
        }
        if (authorization == null) {
            throw unauthorized("Authorization header is required: send 'Authorization: Bearer <token>'.");
        }
        if (authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw unauthorized("Malformed Authorization header: expected 'Bearer <token>'.");
        }
        String token = authorization.substring(BEARER.length()).trim();
        if (token.isEmpty() || token.indexOf(' ') >= 0) {
            throw unauthorized("Malformed Authorization header: expected 'Bearer <token>'.");
        }
        if (sharedTokenHash != null && MessageDigest.isEqual(sharedTokenHash, sha256(token))) {
            return Caller.UNBOUND;
        }
        if (ownerTokens != null) {
            String owner = ownerTokens.ownerOf(token);
            if (owner != null) {
                return new Caller(owner);
            }
            if (!ownerTokens.loaded()) {
                // not known yet is not known to be wrong: a 401 would tell a client with a good token to give up
                throw new RouteRejection(
                        503, "The router is still loading owner tokens; retry shortly.", LOADING_RETRY_SECONDS);
            }
        }
        throw unauthorized("Invalid bearer token.");
    }

    /** Hashing both sides first makes the comparison independent of the tokens' lengths as well. */
    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    private static RouteRejection unauthorized(String detail) {
        return new RouteRejection(401, detail);
    }
}
