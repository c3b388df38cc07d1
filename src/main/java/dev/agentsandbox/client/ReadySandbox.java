package dev.agentsandbox.client;

import dev.agentsandbox.owner.Owner;

/**
 * A claim that is Ready, with the Sandbox it was given.
 *
 * @param launchType {@code warm} or {@code cold} from the Sandbox's {@code agents.x-k8s.io/launch-type}, null if
 *        the Sandbox carries none
 * @param readyMillis time from the client's first request to Ready, null when it cannot be known
 */
public record ReadySandbox(ClaimRef claim, String sandbox, String launchType, Long readyMillis) {

    public Owner owner() {
        return claim.owner();
    }

    public String namespace() {
        return claim.namespace();
    }
}
