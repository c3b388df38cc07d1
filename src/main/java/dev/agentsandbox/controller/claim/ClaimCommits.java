package dev.agentsandbox.controller.claim;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.SandboxClaim;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The commit protocol of docs/api.md (adoption): the Sandbox a claim chose is recorded on the claim as the
 * sandbox-name annotation before the Sandbox is touched, so a restarted controller finishes what it finds there and
 * no member is adopted twice. A commit this process wrote is remembered until the claim cache shows it.
 */
final class ClaimCommits {

    private final ClaimAnnotations annotations;
    /** Claim uid -> committed Sandbox name, for reconciles that run before the claim cache shows the commit. */
    private final Map<String, String> uncached = new ConcurrentHashMap<>();

    ClaimCommits(ClaimAnnotations annotations) {
        this.annotations = annotations;
    }

    /** The Sandbox the claim is committed to, or null. */
    String committedSandbox(SandboxClaim claim) {
        String annotated = ClaimAnnotations.get(claim, Labels.SANDBOX_NAME);
        if (annotated != null) {
            uncached.remove(claim.getMetadata().getUid());
            return annotated;
        }
        return uncached.get(claim.getMetadata().getUid());
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
        SandboxClaim result = annotations.write(
                claim, commit, fresh -> ClaimAnnotations.get(fresh, Labels.SANDBOX_NAME) == null ? fresh : null);
        String winner = ClaimAnnotations.get(result, Labels.SANDBOX_NAME);
        if (winner != null) {
            uncached.put(claim.getMetadata().getUid(), winner);
        }
        return result;
    }

    /** Takes back a commit whose Sandbox was lost or vanished before it was adopted. */
    SandboxClaim takeBack(SandboxClaim claim, String sandboxName) {
        uncached.remove(claim.getMetadata().getUid(), sandboxName);
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
