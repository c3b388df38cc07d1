package dev.agentsandbox.client;

/** The router (or the agent behind it) answered with an HTTP error status. */
public class RouterRejectedException extends SandboxClientException {

    private final int status;
    private final String detail;

    public RouterRejectedException(String message, int status, String detail) {
        super(message);
        this.status = status;
        this.detail = detail;
    }

    /** The HTTP status: 401 bad or missing token, 403 sandbox of another owner, 502/504 backend trouble. */
    public int status() {
        return status;
    }

    /** The {@code detail} of the router's JSON error body, or the raw body. */
    public String detail() {
        return detail;
    }
}
