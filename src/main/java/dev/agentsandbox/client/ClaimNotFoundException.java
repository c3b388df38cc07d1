package dev.agentsandbox.client;

/** The API server answered 404 for a claim, or the claim was deleted while the client waited for it. */
public class ClaimNotFoundException extends SandboxClientException {

    private final String namespace;
    private final String claim;

    public ClaimNotFoundException(String namespace, String claim, String why) {
        super("claim " + namespace + "/" + claim + ": " + why);
        this.namespace = namespace;
        this.claim = claim;
    }

    public String namespace() {
        return namespace;
    }

    public String claim() {
        return claim;
    }
}
