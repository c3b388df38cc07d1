package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.ClaimedSandbox;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimStatus;
import dev.agentsandbox.controller.ObjectKey;
import dev.agentsandbox.controller.StatusPatch;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A claim's status computed from what a reconcile observed, never written here: the Ready condition with its reason
 * (docs/api.md, SandboxClaim status), the Sandbox it mirrors, and the Sandbox's Finished condition. A condition's
 * transition time moves only when its status does.
 */
final class ClaimStatusFactory {

    private final Clock clock;

    ClaimStatusFactory(Clock clock) {
        this.clock = clock;
    }

    SandboxClaimStatus of(ClaimProgress progress, SandboxClaim observed, IdleOutcome idle) {
        SandboxClaimStatus status;
        if (progress instanceof ClaimProgress.Bound bound) {
            status = idle.asleep() ? asleep(observed, bound.sandbox()) : mirroring(observed, bound.sandbox());
        } else {
            status = blocked(observed, ((ClaimProgress.Blocked) progress).why());
        }
        status.setConditions(withIdlePolicy(observed, status.getConditions(), idle.policy()));
        return status;
    }

    SandboxClaimStatus blocked(SandboxClaim claim, ClaimBlocked why) {
        return notReady(claim, why.reason(), "claim " + ObjectKey.of(claim) + ": " + why.detail());
    }

    /** The reconcile failed; the claim keeps the Sandbox it shows. */
    SandboxClaimStatus failed(SandboxClaim claim, Exception e) {
        return notReady(claim, Conditions.RECONCILER_ERROR, "claim " + ObjectKey.of(claim) + ": " + e.getMessage());
    }

    /** Expired under shutdownPolicy Retain: the Sandbox is gone, its name stays, its addresses do not. */
    SandboxClaimStatus expired(SandboxClaim claim, Instant at) {
        SandboxClaimStatus status = notReady(
                claim,
                Conditions.CLAIM_EXPIRED,
                "claim " + ObjectKey.of(claim) + " expired at " + at + "; its sandbox was deleted");
        if (status.getSandbox() != null) {
            ClaimedSandbox name = Serialization.clone(status.getSandbox());
            name.setPodIPs(null);
            status.setSandbox(name);
        }
        return status;
    }

    /** The Sandbox's readiness and Finished condition, and its name and Pod IPs. */
    SandboxClaimStatus mirroring(SandboxClaim claim, Sandbox sandbox) {
        SandboxClaimStatus status = new SandboxClaimStatus();
        status.setSandbox(claimed(sandbox));
        List<Condition> sandboxConditions =
                sandbox.getStatus() == null ? null : sandbox.getStatus().getConditions();
        Optional<Condition> ready = Conditions.find(sandboxConditions, Conditions.READY);
        String name = sandbox.getMetadata().getName();
        List<Condition> conditions;
        if (ready.map(c -> Conditions.TRUE.equals(c.getStatus())).orElse(false)) {
            conditions = ready(claim, true, ready.get().getReason(), "sandbox " + name + " is Ready");
        } else if (ready.map(c -> Conditions.SANDBOX_EXPIRED.equals(c.getReason()))
                .orElse(false)) {
            conditions = ready(claim, false, Conditions.SANDBOX_EXPIRED, "sandbox " + name + " expired");
        } else {
            conditions =
                    ready(claim, false, Conditions.SANDBOX_NOT_READY, "sandbox " + name + " is not Ready" + why(ready));
        }
        status.setConditions(withFinished(claim, conditions, sandboxConditions));
        return status;
    }

    /** Suspended by the idle policy: not Ready, and saying why, until the router wakes it. */
    SandboxClaimStatus asleep(SandboxClaim claim, Sandbox sandbox) {
        SandboxClaimStatus status = new SandboxClaimStatus();
        status.setSandbox(claimed(sandbox));
        status.setConditions(ready(
                claim,
                false,
                Conditions.IDLE_SUSPENDED,
                "sandbox " + sandbox.getMetadata().getName()
                        + " was suspended by the idle policy; the next request through the router wakes it"));
        return status;
    }

    /** IdlePolicyAccepted when the claim has an idle policy: whether it is applied, or why not. */
    private List<Condition> withIdlePolicy(SandboxClaim claim, List<Condition> conditions, IdlePolicy policy) {
        if (policy instanceof IdlePolicy.None) {
            return Conditions.without(conditions, Conditions.IDLE_POLICY_ACCEPTED);
        }
        boolean valid = policy instanceof IdlePolicy.Active;
        return Conditions.with(
                conditions,
                Conditions.IDLE_POLICY_ACCEPTED,
                valid,
                valid ? Conditions.IDLE_POLICY_VALID : Conditions.INVALID_IDLE_POLICY,
                valid ? ((IdlePolicy.Active) policy).describe() : ((IdlePolicy.Invalid) policy).message(),
                claim.getMetadata().getGeneration(),
                clock.instant());
    }

    static boolean isReady(SandboxClaimStatus status) {
        return status != null && Conditions.isTrue(status.getConditions(), Conditions.READY);
    }

    /** Whether writing {@code status} would change nothing the claim shows. */
    static boolean unchanged(SandboxClaim claim, SandboxClaimStatus status) {
        return StatusPatch.same(claim.getStatus(), status);
    }

    private SandboxClaimStatus notReady(SandboxClaim claim, String reason, String message) {
        SandboxClaimStatus status = new SandboxClaimStatus();
        status.setConditions(ready(claim, false, reason, message));
        status.setSandbox(claim.getStatus() == null ? null : claim.getStatus().getSandbox());
        return status;
    }

    private List<Condition> ready(SandboxClaim claim, boolean ready, String reason, String message) {
        return Conditions.with(
                previous(claim),
                Conditions.READY,
                ready,
                reason,
                message,
                claim.getMetadata().getGeneration(),
                clock.instant());
    }

    /** The Sandbox's Finished, with its transition time: ttlSecondsAfterFinished counts from it. */
    private List<Condition> withFinished(SandboxClaim claim, List<Condition> conditions, List<Condition> sandbox) {
        Optional<Condition> finished = Conditions.find(sandbox, Conditions.FINISHED);
        if (finished.isEmpty()) {
            return Conditions.without(conditions, Conditions.FINISHED);
        }
        Condition f = finished.get();
        List<Condition> result = new ArrayList<>();
        for (Condition c : Conditions.with(
                conditions,
                Conditions.FINISHED,
                Conditions.TRUE.equals(f.getStatus()),
                f.getReason(),
                f.getMessage(),
                claim.getMetadata().getGeneration(),
                clock.instant())) {
            if (Conditions.FINISHED.equals(c.getType()) && f.getLastTransitionTime() != null) {
                c = Serialization.clone(c);
                c.setLastTransitionTime(f.getLastTransitionTime());
            }
            result.add(c);
        }
        return result;
    }

    private static ClaimedSandbox claimed(Sandbox sandbox) {
        ClaimedSandbox claimed = new ClaimedSandbox();
        claimed.setName(sandbox.getMetadata().getName());
        if (sandbox.getStatus() != null
                && sandbox.getStatus().getPodIPs() != null
                && !sandbox.getStatus().getPodIPs().isEmpty()) {
            claimed.setPodIPs(sandbox.getStatus().getPodIPs());
        }
        return claimed;
    }

    private static String why(Optional<Condition> ready) {
        return ready.map(c -> ": " + c.getReason()
                        + (c.getMessage() == null || c.getMessage().isEmpty() ? "" : " (" + c.getMessage() + ")"))
                .orElse("");
    }

    private static List<Condition> previous(SandboxClaim claim) {
        return claim.getStatus() == null ? null : claim.getStatus().getConditions();
    }
}
