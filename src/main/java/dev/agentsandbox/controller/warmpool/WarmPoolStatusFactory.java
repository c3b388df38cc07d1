package dev.agentsandbox.controller.warmpool;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxWarmPool;
import dev.agentsandbox.api.SandboxWarmPoolStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Computes a pool's status from what one reconcile observed: replicas, ready replicas, selector, and the conditions
 * Ready, ReplicasAccepted and Progressing. Conditions this pass does not decide keep their previous value; a
 * condition's transition time moves only when its status does.
 */
final class WarmPoolStatusFactory {

    static final String READY = Conditions.READY;
    static final String REPLICAS_ACCEPTED = "ReplicasAccepted";
    static final String PROGRESSING = "Progressing";
    static final String ABOVE_LIMIT = "ReplicasAboveLimit";

    private final SandboxWarmPool pool;
    private final SandboxWarmPoolStatus status = new SandboxWarmPoolStatus();
    private final List<Condition> previous;
    private final Instant now;

    WarmPoolStatusFactory(SandboxWarmPool pool, List<Sandbox> members, Instant now) {
        this.pool = pool;
        this.now = now;
        List<Condition> before =
                pool.getStatus() == null ? null : pool.getStatus().getConditions();
        this.previous = before == null ? List.of() : before;
        status.setReplicas(members.size());
        status.setReadyReplicas(
                (int) members.stream().filter(WarmPoolMembers::isReady).count());
        status.setSelector(WarmPoolMembers.selector(pool.getMetadata().getName()));
        status.setObservedGeneration(pool.getMetadata().getGeneration());
        status.setConditions(previous);
    }

    int readyReplicas() {
        return status.getReadyReplicas();
    }

    /** The pool cannot be scaled: Ready is False with the blockage's reason, ReplicasAccepted too when above limit. */
    void blocked(PoolBlocked blocked) {
        switch (blocked.kind()) {
            case TEMPLATE_NOT_FOUND -> set(READY, false, Conditions.TEMPLATE_NOT_FOUND, blocked.getMessage());
            case INVALID_TEMPLATE -> set(READY, false, Conditions.RECONCILER_ERROR, blocked.getMessage());
            case ABOVE_LIMIT -> {
                set(REPLICAS_ACCEPTED, false, ABOVE_LIMIT, blocked.getMessage());
                set(READY, false, ABOVE_LIMIT, blocked.getMessage());
            }
        }
    }

    /** The replicas are within the limit; Ready says whether exactly {@code desired} members are all ready. */
    void accepted(int desired, int maxReplicas) {
        set(REPLICAS_ACCEPTED, true, "WithinLimit", "replicas " + desired + " <= " + maxReplicas);
        boolean allReady = status.getReadyReplicas() >= desired && status.getReplicas() == desired;
        set(
                READY,
                allReady,
                allReady ? "MembersReady" : "MembersNotReady",
                status.getReadyReplicas() + " of " + desired + " members ready");
    }

    /** Progressing is False while members are held Unschedulable (a new Pod would not fit either). */
    void progressing(Set<String> heldMembers) {
        if (heldMembers.isEmpty()) {
            set(PROGRESSING, true, "MembersSchedulable", "");
        } else {
            set(
                    PROGRESSING,
                    false,
                    "Unschedulable",
                    "members held while Unschedulable: "
                            + heldMembers.stream().sorted().toList());
        }
    }

    /** True when {@code type} now carries {@code reason} and did not before this pass. */
    boolean newly(String type, String reason) {
        String before =
                Conditions.find(previous, type).map(Condition::getReason).orElse(null);
        return !reason.equals(before)
                && Conditions.find(status.getConditions(), type)
                        .map(c -> reason.equals(c.getReason()))
                        .orElse(false);
    }

    SandboxWarmPoolStatus build() {
        return status;
    }

    private void set(String type, boolean value, String reason, String message) {
        status.setConditions(Conditions.with(
                status.getConditions(),
                type,
                value,
                reason,
                message,
                pool.getMetadata().getGeneration(),
                now));
    }
}
