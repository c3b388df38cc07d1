package dev.agentsandbox.client;

/** Exit codes of the command-line client; with several owners the run exits with the highest one. */
public final class ExitCode {

    private ExitCode() {}

    /** Every owner got an answer from their own agent (or was reset or deleted as asked). */
    public static final int OK = 0;
    /** The routing check failed: a reply did not begin with "I am &lt;owner&gt;'s agent". */
    public static final int CHECK_FAILED = 1;
    /** Bad flags or owner names. */
    public static final int USAGE = 2;
    /**
     * A claim did not become Ready: timeout (e.g. missing warm pool), failed for good, or not found; its sandbox was
     * suspended by a user (not woken); or its idle-suspended sandbox was still waking when the client's time ran out.
     */
    public static final int CLAIM = 3;
    /** The router could not be reached. */
    public static final int ROUTER_UNREACHABLE = 4;
    /** The router answered with an error: 401 wrong or missing token, 403 another owner's sandbox, 5xx. */
    public static final int ROUTER_REJECTED = 5;
    /** The Kubernetes API could not be used (unreachable, credentials, RBAC). */
    public static final int KUBERNETES = 6;

    /** The code for an error that ended one owner's run. */
    static int of(RuntimeException e) {
        if (e instanceof ClaimTimeoutException
                || e instanceof SandboxWakeTimeoutException
                || e instanceof SandboxSuspendedException
                || e instanceof ClaimFailedException
                || e instanceof ClaimNotFoundException) {
            return CLAIM;
        }
        if (e instanceof RouterUnreachableException) {
            return ROUTER_UNREACHABLE;
        }
        if (e instanceof RouterRejectedException) {
            return ROUTER_REJECTED;
        }
        if (e instanceof IllegalArgumentException) {
            return USAGE;
        }
        return KUBERNETES;
    }
}
