package dev.agentsandbox.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.ClaimedSandbox;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a claim's status is judged while waiting. */
class ClaimStateTest {

    static SandboxClaim claim(String sandbox, boolean ready, String reason) {
        SandboxClaim claim = new SandboxClaim();
        SandboxClaimStatus status = new SandboxClaimStatus();
        status.setConditions(Conditions.with(List.of(), Conditions.READY, ready, reason, "msg", 1L, Instant.EPOCH));
        if (sandbox != null) {
            ClaimedSandbox claimed = new ClaimedSandbox();
            claimed.setName(sandbox);
            status.setSandbox(claimed);
        }
        claim.setStatus(status);
        return claim;
    }

    @Test
    void readyNeedsTheConditionAndTheSandboxName() {
        assertThat(ClaimState.of(claim("sb", true, Conditions.DEPENDENCIES_READY))
                        .phase())
                .isEqualTo(ClaimState.Phase.READY);
        assertThat(ClaimState.of(claim(null, true, Conditions.DEPENDENCIES_READY))
                        .phase())
                .as("Ready without a sandbox name cannot be routed to")
                .isEqualTo(ClaimState.Phase.WAITING);
        assertThat(ClaimState.of(claim("sb", false, Conditions.SANDBOX_NOT_READY))
                        .phase())
                .isEqualTo(ClaimState.Phase.WAITING);
        assertThat(ClaimState.of(new SandboxClaim()).phase()).isEqualTo(ClaimState.Phase.WAITING);
    }

    @Test
    void missingObjectsAreWaitedOutButBrokenClaimsFailAtOnce() {
        for (String healing : List.of(
                Conditions.WARM_POOL_NOT_FOUND,
                Conditions.TEMPLATE_NOT_FOUND,
                Conditions.SANDBOX_CREATE_PENDING,
                Conditions.ADOPTION_CONFLICT,
                Conditions.RECONCILER_ERROR)) {
            assertThat(ClaimState.of(claim(null, false, healing)).phase())
                    .as(healing)
                    .isEqualTo(ClaimState.Phase.WAITING);
        }
        for (String terminal : List.of(
                Conditions.INVALID_METADATA,
                Conditions.ENV_VARS_INJECTION_REJECTED,
                Conditions.VOLUME_CLAIM_TEMPLATES_ERROR,
                Conditions.CLAIM_EXPIRED,
                Conditions.SANDBOX_EXPIRED)) {
            ClaimState state = ClaimState.of(claim(null, false, terminal));
            assertThat(state.phase()).as(terminal).isEqualTo(ClaimState.Phase.FAILED);
            assertThat(state.reason()).isEqualTo(terminal);
        }
    }

    @Test
    void aClaimWhosePodEndedFailsAtOnceWithThePodsReason() {
        for (String ended : List.of(Conditions.POD_FAILED, Conditions.POD_SUCCEEDED)) {
            SandboxClaim claim = claim("sb", false, Conditions.SANDBOX_NOT_READY);
            // As the claim controller mirrors it: Ready says the Sandbox is not Ready, Finished says why.
            claim.getStatus()
                    .setConditions(Conditions.with(
                            claim.getStatus().getConditions(),
                            Conditions.FINISHED,
                            true,
                            ended,
                            "Pod sb has ended",
                            1L,
                            Instant.EPOCH));

            ClaimState state = ClaimState.of(claim);

            assertThat(state.phase()).as(ended).isEqualTo(ClaimState.Phase.FAILED);
            assertThat(state.reason()).isEqualTo(ended);
            assertThat(state.message()).isEqualTo("Pod sb has ended");
        }
    }

    @Test
    void anIdleSuspendedClaimIsAsleepNotWaitedFor() {
        ClaimState asleep = ClaimState.of(claim("sb", false, Conditions.IDLE_SUSPENDED));
        assertThat(asleep.phase())
                .as("the router wakes it on the next request: the client goes on and sends one")
                .isEqualTo(ClaimState.Phase.ASLEEP);
        assertThat(asleep.sandbox()).isEqualTo("sb");
        assertThat(ClaimState.of(claim(null, false, Conditions.IDLE_SUSPENDED)).phase())
                .as("no sandbox name to route to")
                .isEqualTo(ClaimState.Phase.WAITING);
    }
}
