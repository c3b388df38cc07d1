package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Conditions;
import java.time.Duration;

/**
 * Why a claim has no Ready Sandbox, as its Ready condition's reason and a detail that names what is missing, and when
 * to look again (null: when an event says so). Every such reason of docs/api.md is made here and nowhere else.
 */
record ClaimBlocked(String reason, String detail, Duration retryAfter) {

    static final Duration AFTER_ADOPTION_CONFLICT = Duration.ofMillis(100);
    static final Duration AFTER_COLD_START_CONFLICT = Duration.ofSeconds(30);

    static ClaimBlocked invalidMetadata(String problem) {
        return new ClaimBlocked(Conditions.INVALID_METADATA, problem, null);
    }

    static ClaimBlocked poolNotFound(String pool) {
        return new ClaimBlocked(Conditions.WARM_POOL_NOT_FOUND, "warm pool \"" + pool + "\" not found", null);
    }

    static ClaimBlocked templateNotFound(String pool, String template) {
        return new ClaimBlocked(
                Conditions.TEMPLATE_NOT_FOUND,
                "template \"" + template + "\" of warm pool \"" + pool + "\" not found",
                null);
    }

    /** The template's policies refuse the claim's env or volumeClaimTemplates. */
    static ClaimBlocked coldStartRefused(String reason, String problem) {
        return new ClaimBlocked(reason, problem, null);
    }

    /** A Sandbox of the claim's own name exists and belongs to someone else. */
    static ClaimBlocked coldStartTaken(String problem) {
        return new ClaimBlocked(
                Conditions.RECONCILER_ERROR, "cannot start cold: " + problem, AFTER_COLD_START_CONFLICT);
    }

    static ClaimBlocked adoptionConflict(String problem) {
        return new ClaimBlocked(Conditions.ADOPTION_CONFLICT, problem, AFTER_ADOPTION_CONFLICT);
    }

    static ClaimBlocked waitingForWarmMember(String pool, Duration warmWait, Duration left) {
        return new ClaimBlocked(
                Conditions.SANDBOX_CREATE_PENDING,
                "waiting up to " + warmWait.toMillis() + " ms for a warm sandbox of pool " + pool,
                left);
    }

    static ClaimBlocked sandboxMissing(String sandbox) {
        return new ClaimBlocked(Conditions.SANDBOX_MISSING, "sandbox " + sandbox + " no longer exists", null);
    }
}
