package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.SandboxClaim;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which Sandbox a claim is bound to, as the claim records it (docs/api.md, adoption and cold start): the sandbox-name
 * annotation, written before a cold start's create (and by upstream's controller before an adoption), or the
 * Sandbox in the claim's status, written under the claim's resourceVersion right after a warm adoption. A binding this
 * process made is remembered until the claim cache shows its record.
 */
final class ClaimCommits {

    private final ClaimAnnotations annotations;
    /** Claim uid -> the Sandbox it is bound to, for reconciles that run before the claim cache shows the record. */
    private final Map<String, String> uncached = new ConcurrentHashMap<>();

    ClaimCommits(ClaimAnnotations annotations) {
        this.annotations = annotations;
    }

    /** The Sandbox the claim is committed to, or null. */
    String committedSandbox(SandboxClaim claim) {
        String recorded = recorded(claim);
        if (recorded != null) {
            uncached.remove(claim.getMetadata().getUid());
            return recorded;
        }
        return uncached.get(claim.getMetadata().getUid());
    }

    /**
     * The Sandbox the claim at hand records: the sandbox-name annotation, else the Sandbox in its status; null when it
     * records none. Once recorded, a claim keeps the name, so a stale copy of a claim may lack it but never names
     * another.
     */
    static String recorded(SandboxClaim claim) {
        String annotated = ClaimAnnotations.get(claim, Labels.SANDBOX_NAME);
        if (annotated != null) {
            return annotated;
        }
        return claim.getStatus() == null || claim.getStatus().getSandbox() == null
                ? null
                : claim.getStatus().getSandbox().getName();
    }

    /** Remembers a warm adoption until the claim's status, written next, shows it. */
    void adopted(SandboxClaim claim, String sandboxName) {
        uncached.put(claim.getMetadata().getUid(), sandboxName);
    }

    /** Records {@code sandboxName} on the claim. If another commit won meanwhile, the claim with that one is returned. */
    SandboxClaim commit(SandboxClaim claim, String sandboxName, Instant firstObserved) {
        if (sandboxName.equals(ClaimAnnotations.get(claim, Labels.SANDBOX_NAME))) {
            return claim;
        }
        Map<String, String> commit = new HashMap<>();
        commit.put(Labels.SANDBOX_NAME, sandboxName);
        if (ClaimAnnotations.get(claim, Labels.CONTROLLER_FIRST_OBSERVED_AT) == null) {
            commit.put(Labels.CONTROLLER_FIRST_OBSERVED_AT, firstObserved.toString());
        }
        SandboxClaim result = annotations.write(claim, commit, fresh -> recorded(fresh) == null ? fresh : null);
        String winner = recorded(result);
        if (winner != null) {
            uncached.put(claim.getMetadata().getUid(), winner);
        }
        return result;
    }

    /** Takes back a commit whose Sandbox was lost or vanished before it was adopted. */
    SandboxClaim takeBack(SandboxClaim claim, String sandboxName) {
        uncached.remove(claim.getMetadata().getUid(), sandboxName);
        if (!sandboxName.equals(ClaimAnnotations.get(claim, Labels.SANDBOX_NAME))) {
            return claim; // a warm adoption not yet in the claim's status: nothing on the claim to take back
        }
        Map<String, String> withdrawal = new HashMap<>();
        withdrawal.put(Labels.SANDBOX_NAME, null);
        return annotations.write(
                claim,
                withdrawal,
                fresh -> sandboxName.equals(ClaimAnnotations.get(fresh, Labels.SANDBOX_NAME)) ? fresh : null);
    }

    /** What a restart forgets: the commits the claim cache did not show yet. */
    void forget() {
        uncached.clear();
    }
}
