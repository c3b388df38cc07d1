package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.IdleAnnotations.IdleAction;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a claim's Sandbox stands with the idle policy, decided from what the caches show (docs/idle.md). The idle
 * clock runs only while the Sandbox is Ready, and starts again at the latest of: the router's last activity, the
 * claim's first Ready (a warm member may have waited in its pool for hours), and the Sandbox's last turn to Ready (a
 * resume). Pure: the caller acts on the answer.
 */
sealed interface ClaimIdleness {

    /** Nothing to do now; an event on the claim or its Sandbox brings the next look. */
    record Untouched() implements ClaimIdleness {}

    /** In use: look again at {@code deadline}, when it will have been idle for its timeout. */
    record Awake(Instant deadline) implements ClaimIdleness {}

    /** Idle for its timeout since {@code idleSince}: {@code action} is due. */
    record Expired(IdleAction action, Instant idleSince) implements ClaimIdleness {}

    /** Suspended by the idle policy; the router wakes it. */
    record Asleep() implements ClaimIdleness {}

    /** Running again but still marked as idle-suspended: the router woke it, the mark goes. */
    record Woken() implements ClaimIdleness {}

    static ClaimIdleness of(IdlePolicy policy, SandboxClaim claim, Sandbox sandbox, Instant now) {
        if (sandbox == null
                || sandbox.getMetadata().getDeletionTimestamp() != null
                || !ClaimedSandboxes.controlledBy(sandbox, claim)) {
            return new Untouched();
        }
        boolean markedIdle =
                IdleAnnotations.SUSPENDED_BY_IDLE.equals(ClaimAnnotations.get(sandbox, IdleAnnotations.SUSPENDED_BY));
        if (suspended(sandbox)) {
            return markedIdle ? new Asleep() : new Untouched();
        }
        if (markedIdle) {
            return new Woken();
        }
        Optional<Instant> readySince = readySince(sandbox);
        if (!(policy instanceof IdlePolicy.Active active) || readySince.isEmpty()) {
            return new Untouched();
        }
        // Not yet stamped means it turns Ready in this very reconcile, which stamps it now.
        Instant claimReady = instant(ClaimAnnotations.get(claim, Labels.CLAIM_FIRST_READY_AT))
                .orElse(now);
        Instant idleSince = Stream.of(
                        Optional.of(claimReady),
                        readySince,
                        IdleAnnotations.activity(ClaimAnnotations.get(sandbox, IdleAnnotations.LAST_ACTIVITY)))
                .flatMap(Optional::stream)
                .max(Instant::compareTo)
                .orElseThrow();
        Instant deadline = idleSince.plus(active.timeout());
        return now.isBefore(deadline) ? new Awake(deadline) : new Expired(active.action(), idleSince);
    }

    static boolean suspended(Sandbox sandbox) {
        return sandbox.getSpec() != null && sandbox.getSpec().getOperatingMode() == OperatingMode.SUSPENDED;
    }

    /** When the Sandbox last turned Ready; empty while it is not Ready. */
    private static Optional<Instant> readySince(Sandbox sandbox) {
        Optional<Condition> ready = Conditions.find(
                        sandbox.getStatus() == null ? null : sandbox.getStatus().getConditions(), Conditions.READY)
                .filter(c -> Conditions.TRUE.equals(c.getStatus()));
        return ready.map(c -> instant(c.getLastTransitionTime()).orElse(Instant.EPOCH));
    }

    private static Optional<Instant> instant(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
