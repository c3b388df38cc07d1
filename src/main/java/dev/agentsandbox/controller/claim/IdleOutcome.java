package dev.agentsandbox.controller.claim;

import java.time.Duration;
import java.util.Optional;

/**
 * What the idle policy did in one reconcile, for the claim's status and schedule: the policy (shown as the
 * IdlePolicyAccepted condition), whether the Sandbox sleeps (the claim's Ready says IdleSuspended), whether the claim
 * was deleted, and when to look again (null: when an event says so).
 */
record IdleOutcome(IdlePolicy policy, boolean asleep, boolean claimDeleted, Duration recheckAfter) {

    /** No idle policy applies (also: a claim without a Sandbox to idle). */
    static final IdleOutcome NO_POLICY = new IdleOutcome(new IdlePolicy.None(), false, false, null);

    static IdleOutcome awake(IdlePolicy policy, Duration recheckAfter) {
        return new IdleOutcome(policy, false, false, recheckAfter);
    }

    static IdleOutcome asleep(IdlePolicy policy) {
        return new IdleOutcome(policy, true, false, null);
    }

    static IdleOutcome deleted(IdlePolicy policy) {
        return new IdleOutcome(policy, false, true, null);
    }

    Optional<Duration> recheck() {
        return Optional.ofNullable(recheckAfter);
    }
}
