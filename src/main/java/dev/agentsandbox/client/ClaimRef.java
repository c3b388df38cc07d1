package dev.agentsandbox.client;

import dev.agentsandbox.owner.Owner;
import java.time.Instant;

/**
 * A SandboxClaim this client works with.
 *
 * @param created true when this call created the claim (false when an existing one was found)
 * @param requestedAt when the client first asked for it ({@code client-first-requested-at}), null if unknown
 */
public record ClaimRef(Owner owner, String namespace, String name, boolean created, Instant requestedAt) {

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
