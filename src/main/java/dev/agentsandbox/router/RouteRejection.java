package dev.agentsandbox.router;

/**
 * Why the router refuses a request, as the HTTP status and the {@code detail} of the JSON error it answers with.
 * Thrown on the hot path for every refused request, so it carries no stack trace.
 */
public final class RouteRejection extends RuntimeException {

    private final int status;
    private final int retryAfterSeconds;

    public RouteRejection(int status, String detail) {
        this(status, detail, 0);
    }

    public RouteRejection(int status, String detail, int retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String detail() {
        return getMessage();
    }

    /** Seconds for a {@code Retry-After} header; 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
