package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import java.time.Duration;
import java.util.Optional;

/** Where one reconcile left a claim: bound to its Sandbox, or blocked. {@code claim} is the latest the reconcile wrote. */
sealed interface ClaimProgress {

    SandboxClaim claim();

    /** The claim owns {@code sandbox}; its status mirrors the Sandbox's. */
    record Bound(SandboxClaim claim, Sandbox sandbox) implements ClaimProgress {}

    /** The claim has no Sandbox it can show, for the reason given. */
    record Blocked(SandboxClaim claim, ClaimBlocked why) implements ClaimProgress {}

    default Optional<Duration> retryAfter() {
        return this instanceof Blocked blocked
                ? Optional.ofNullable(blocked.why().retryAfter())
                : Optional.empty();
    }
}
