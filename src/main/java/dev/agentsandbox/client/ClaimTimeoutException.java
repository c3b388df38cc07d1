package dev.agentsandbox.client;

import java.time.Duration;

/** A claim did not become Ready in time; carries the last reason the controller gave, if any. */
public class ClaimTimeoutException extends SandboxClientException {

    private final String claim;
    private final String lastReason;

    public ClaimTimeoutException(String namespace, String claim, Duration timeout, String lastReason, String detail) {
        super("claim " + namespace + "/" + claim + ": not Ready after " + timeout.toSeconds() + " s"
                + (detail == null || detail.isBlank() ? "" : ": " + detail));
        this.claim = claim;
        this.lastReason = lastReason;
    }

    public String claim() {
        return claim;
    }

    /** The claim's last Ready reason (e.g. {@code WarmPoolNotFound}), or null when it never had one. */
    public String lastReason() {
        return lastReason;
    }
}
