package dev.agentsandbox.client;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.SandboxClaim;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.Set;

/**
 * Where a claim stands, judged from its status: Ready, asleep (suspended by the idle policy: the router wakes it on the
 * next request), still waiting (with the controller's reason), or failed for good.
 *
 * <p>
 * Ready means the Ready condition is True <em>and</em> {@code status.sandbox.name} is set: a client needs the
 * Sandbox's name for the routing header, so Ready without a name is still waiting. Reasons such as
 * {@code WarmPoolNotFound} or {@code TemplateNotFound} heal on their own once the object is created, so they are
 * waited out until the timeout; the reasons in {@link #TERMINAL} never heal and fail at once, and so does a claim
 * whose {@code Finished} condition is True: its Pod ended (its Ready reason is then {@code SandboxNotReady}, which
 * alone would heal). A claim whose Ready reason is {@code IdleSuspended} is not waited for either: its sandbox sleeps
 * until a request comes through the router, so the client goes on and sends one.
 */
public record ClaimState(Phase phase, String sandbox, String reason, String message) {

    /** Ready reasons after which waiting is pointless. */
    public static final Set<String> TERMINAL = Set.of(
            Conditions.INVALID_METADATA,
            Conditions.ENV_VARS_INJECTION_REJECTED,
            Conditions.VOLUME_CLAIM_TEMPLATES_ERROR,
            Conditions.CLAIM_EXPIRED,
            Conditions.SANDBOX_EXPIRED);

    /** The outcomes a waiting client cares about. */
    public enum Phase {
        READY,
        /** Suspended for being idle, with a sandbox the router wakes on the next request. */
        ASLEEP,
        WAITING,
        FAILED
    }

    public static ClaimState of(SandboxClaim claim) {
        var status = claim.getStatus();
        String sandbox = status == null || status.getSandbox() == null
                ? null
                : status.getSandbox().getName();
        Condition ready = status == null
                ? null
                : Conditions.find(status.getConditions(), Conditions.READY).orElse(null);
        String reason = ready == null ? null : ready.getReason();
        String message = ready == null ? null : ready.getMessage();
        if (ready != null && Conditions.TRUE.equals(ready.getStatus()) && sandbox != null && !sandbox.isBlank()) {
            return new ClaimState(Phase.READY, sandbox, reason, message);
        }
        if (Conditions.IDLE_SUSPENDED.equals(reason) && sandbox != null && !sandbox.isBlank()) {
            return new ClaimState(Phase.ASLEEP, sandbox, reason, message);
        }
        if (reason != null && TERMINAL.contains(reason) && !Conditions.TRUE.equals(ready.getStatus())) {
            return new ClaimState(Phase.FAILED, sandbox, reason, message);
        }
        Condition finished = status == null
                ? null
                : Conditions.find(status.getConditions(), Conditions.FINISHED).orElse(null);
        if (finished != null && Conditions.TRUE.equals(finished.getStatus())) {
            return new ClaimState(Phase.FAILED, sandbox, finished.getReason(), finished.getMessage());
        }
        return new ClaimState(Phase.WAITING, sandbox, reason, message);
    }
}
