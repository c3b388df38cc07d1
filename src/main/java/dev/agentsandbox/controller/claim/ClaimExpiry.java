package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.ClaimLifecycle;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** When a claim expires: the earlier of {@code shutdownTime} and Finished + {@code ttlSecondsAfterFinished}. */
final class ClaimExpiry {

    private ClaimExpiry() {}

    static Optional<Instant> at(SandboxClaim claim, Sandbox sandbox) {
        ClaimLifecycle lifecycle = claim.getSpec().getLifecycle();
        if (lifecycle == null) {
            return Optional.empty();
        }
        Instant result = null;
        if (lifecycle.getShutdownTime() != null && !lifecycle.getShutdownTime().isBlank()) {
            result = Instant.parse(lifecycle.getShutdownTime());
        }
        if (lifecycle.getTtlSecondsAfterFinished() != null) {
            Optional<Instant> finished = finishedAt(
                    sandbox == null || sandbox.getStatus() == null
                            ? null
                            : sandbox.getStatus().getConditions());
            if (finished.isEmpty() && claim.getStatus() != null) {
                finished = finishedAt(claim.getStatus().getConditions());
            }
            if (finished.isPresent()) {
                Instant ttl = finished.get().plusSeconds(lifecycle.getTtlSecondsAfterFinished());
                result = result == null || ttl.isBefore(result) ? ttl : result;
            }
        }
        return Optional.ofNullable(result);
    }

    private static Optional<Instant> finishedAt(List<Condition> conditions) {
        return Conditions.find(conditions, Conditions.FINISHED)
                .filter(c -> Conditions.TRUE.equals(c.getStatus()) && c.getLastTransitionTime() != null)
                .map(c -> Instant.parse(c.getLastTransitionTime()));
    }
}
