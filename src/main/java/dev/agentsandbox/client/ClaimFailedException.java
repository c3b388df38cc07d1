package dev.agentsandbox.client;

/** A claim reached a Ready reason that does not heal by waiting (e.g. {@code InvalidMetadata}). */
public class ClaimFailedException extends SandboxClientException {

    private final String claim;
    private final String reason;

    public ClaimFailedException(String namespace, String claim, String reason, String message) {
        super("claim " + namespace + "/" + claim + " failed: " + reason
                + (message == null || message.isBlank() ? "" : ": " + message));
        this.claim = claim;
        this.reason = reason;
    }

    public String claim() {
        return claim;
    }

    public String reason() {
        return reason;
    }
}
