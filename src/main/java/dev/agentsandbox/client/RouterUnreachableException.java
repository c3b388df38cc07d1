package dev.agentsandbox.client;

import java.net.URI;

/** No HTTP answer from the router: connection refused, DNS failure, TLS failure or timeout. */
public class RouterUnreachableException extends SandboxClientException {

    private final URI router;

    public RouterUnreachableException(URI router, Throwable cause) {
        super("cannot reach the router at " + router + ": " + describe(cause), cause);
        this.router = router;
    }

    public URI router() {
        return router;
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        String kind = cause.getClass().getSimpleName();
        return message == null || message.isBlank() ? kind : kind + " (" + message + ")";
    }
}
