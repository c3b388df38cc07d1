package dev.agentsandbox.router;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.IdleAnnotations;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Whether a Sandbox is asleep, judged from the router's cache, and so what a request for it gets once its owner
 * has been checked (docs/router.md, "Idle sandboxes: wake on request").
 */
enum SleepState {
    /** Not suspended and not coming back from a suspension: routed as usual (503 while not Ready). */
    AWAKE,
    /** Suspended by the idle policy ({@code suspended-by: idle}): a request wakes it and waits until it is Ready. */
    IDLE_SUSPENDED,
    /** Told to run again after a suspension and not Ready yet: a request waits; nothing needs writing. */
    WAKING,
    /** Suspended by a user: the router does not wake it (409). */
    USER_SUSPENDED;

    /**
     * @param resumeWindowMillis how long after its {@code Suspended} condition went False a sandbox that is not
     *     Ready still counts as waking: the controller clears {@code suspended-by} before the Pod is Ready, and a
     *     request in that gap (on this or another router) should wait like the one that woke it
     */
    static SleepState of(RoutedSandbox sandbox, long nowMillis, long resumeWindowMillis) {
        boolean byIdle = IdleAnnotations.SUSPENDED_BY_IDLE.equals(sandbox.annotation(IdleAnnotations.SUSPENDED_BY));
        if (sandbox.suspended()) {
            return byIdle ? IDLE_SUSPENDED : USER_SUSPENDED;
        }
        if (sandbox.getStatus() != null && Conditions.isTrue(sandbox.getStatus().getConditions(), Conditions.READY)) {
            return AWAKE;
        }
        return byIdle || resumedSince(sandbox, nowMillis - resumeWindowMillis) ? WAKING : AWAKE;
    }

    /** True when the Sandbox's {@code Suspended} condition went to False/NotSuspended at or after {@code since}. */
    private static boolean resumedSince(RoutedSandbox sandbox, long sinceMillis) {
        if (sandbox.getStatus() == null) {
            return false;
        }
        Condition suspended = Conditions.find(sandbox.getStatus().getConditions(), Conditions.SUSPENDED)
                .orElse(null);
        if (suspended == null
                || !Conditions.FALSE.equals(suspended.getStatus())
                || !Conditions.NOT_SUSPENDED.equals(suspended.getReason())
                || suspended.getLastTransitionTime() == null) {
            return false;
        }
        try {
            return Instant.parse(suspended.getLastTransitionTime()).toEpochMilli() >= sinceMillis;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
