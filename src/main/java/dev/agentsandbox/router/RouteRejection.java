package dev.agentsandbox.router;

/**
 * Why the router refuses a request, as the HTTP status and the {@code detail} of the JSON error it answers with.
 * Thrown on the hot path for every refused request, so it carries no stack trace.
 */
public final class RouteRejection extends RuntimeException {

    /** The {@code state} of an idle-suspended sandbox being woken (503). */
    public static final String WAKING = "waking";
    /** The {@code state} of a sandbox a user suspended (409). */
    public static final String SUSPENDED = "suspended";

    private final int status;
    private final int retryAfterSeconds;
    private final String state;

    public RouteRejection(int status, String detail) {
        this(status, detail, 0);
    }

    public RouteRejection(int status, String detail, int retryAfterSeconds) {
        this(status, detail, retryAfterSeconds, null);
    }

    /** @param state the sandbox's state for a client to act on ({@link #WAKING}, {@link #SUSPENDED}), or null */
    public RouteRejection(int status, String detail, int retryAfterSeconds, String state) {
        super(detail, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
        this.state = state;
    }

    /** An idle-suspended sandbox is waking and the request did not wait (long enough) for it. */
    static RouteRejection waking(String sandbox, int retryAfterSeconds) {
        return new RouteRejection(
                503,
                "Sandbox " + sandbox + " is waking up from an idle suspension; retry shortly.",
                retryAfterSeconds,
                WAKING);
    }

    public int status() {
        return status;
    }

    public String detail() {
        return getMessage();
    }

    /** The sandbox's state as the JSON answer's {@code state}, or null. */
    public String state() {
        return state;
    }

    /** Seconds for a {@code Retry-After} header; 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
