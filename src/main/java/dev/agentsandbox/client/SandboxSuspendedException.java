package dev.agentsandbox.client;

import dev.agentsandbox.owner.Owner;

/**
 * A user suspended the owner's sandbox (not the idle policy), and nothing but that user wakes it: the router answers
 * such a request 409 and the client does not wait for it. Setting the Sandbox's {@code spec.operatingMode} back to
 * {@code Running} resumes it.
 */
public class SandboxSuspendedException extends SandboxClientException {

    private final String sandbox;

    /** @param seen where it was seen: the Sandbox itself, or the router's 409 and its detail */
    public SandboxSuspendedException(String namespace, String sandbox, Owner owner, String seen) {
        super("sandbox " + namespace + "/" + sandbox + " of owner " + owner + " was suspended by a user, not for "
                + "being idle, so it is not woken (" + seen + "); set its spec.operatingMode to Running to resume it");
        this.sandbox = sandbox;
    }

    /** The Sandbox's name. */
    public String sandbox() {
        return sandbox;
    }
}
