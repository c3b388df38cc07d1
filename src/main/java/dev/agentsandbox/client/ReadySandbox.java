package dev.agentsandbox.client;

import dev.agentsandbox.owner.Owner;

/**
 * A claim that is Ready, or asleep, with the Sandbox it was given.
 *
 * @param launchType {@code warm} or {@code cold} from the Sandbox's {@code agents.x-k8s.io/launch-type}, null if
 *        the Sandbox carries none
 * @param readyMillis time from the client's first request to Ready, null when it cannot be known
 * @param asleep the sandbox was suspended by the idle policy (the claim's reason {@code IdleSuspended}, or the
 *        Sandbox's {@code agents.x-k8s.io/suspended-by: idle}) when the client found it: the first request through
 *        the router wakes it and waits until it is Ready
 */
public record ReadySandbox(ClaimRef claim, String sandbox, String launchType, Long readyMillis, boolean asleep) {

    /** A sandbox that is awake. */
    public ReadySandbox(ClaimRef claim, String sandbox, String launchType, Long readyMillis) {
        this(claim, sandbox, launchType, readyMillis, false);
    }

    public Owner owner() {
        return claim.owner();
    }

    public String namespace() {
        return claim.namespace();
    }

    /** "sandbox-agent-demo/alice-x7k2p": how messages name the sandbox. */
    String key() {
        return claim.namespace() + "/" + sandbox;
    }
}
