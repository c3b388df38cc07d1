package dev.agentsandbox.router;

/**
 * Who sent a request, as far as the router could establish it.
 *
 * @param owner the owner a per-owner token belongs to; null for the shared token or an open router
 */
public record Caller(String owner) {

    /** Holder of the shared {@code ROUTER_AUTH_TOKEN}, or anyone on a router started without authentication. */
    public static final Caller UNBOUND = new Caller(null);

    /** True when the caller may only reach sandboxes labelled with its owner. */
    public boolean boundToOwner() {
        return owner != null;
    }
}
