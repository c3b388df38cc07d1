package dev.agentsandbox.router;

import io.vertx.core.http.HttpServerRequest;

/** One request passing through the router, from arrival to its last byte; recorded exactly once. */
class Exchange {

    final HttpServerRequest request;
    /** The client's address as text, or null. */
    final String remoteHost;

    final long startNanos;
    SandboxRoute route;
    private boolean finished;

    Exchange(HttpServerRequest request, String remoteHost, long startNanos) {
        this.request = request;
        this.remoteHost = remoteHost;
        this.startNanos = startNanos;
    }

    /** True the first time only. */
    final boolean finish() {
        if (finished) {
            return false;
        }
        finished = true;
        return true;
    }

    /** The client went away: stop whatever is still under way for it. */
    void clientGone() {}
}
