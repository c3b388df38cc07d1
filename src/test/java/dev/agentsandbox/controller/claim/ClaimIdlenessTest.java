package dev.agentsandbox.controller.claim;

import static dev.agentsandbox.controller.claim.SandboxFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.IdleAnnotations.IdleAction;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimIdlenessTest {

    static final IdlePolicy SUSPEND_AFTER_60S = new IdlePolicy.Active(Duration.ofSeconds(60), IdleAction.SUSPEND);

    /** Ready since T0, the claim first Ready at T0+10s. */
    final SandboxClaim claim = claimReadyAt(T0.plusSeconds(10));

    final Sandbox sandbox = claimedBy(claim, T0);

    @Test
    void theClockStartsAtTheClaimsFirstReadyNotWhenTheWarmMemberBecameReady() {
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, sandbox, T0.plusSeconds(30)))
                .isEqualTo(new ClaimIdleness.Awake(T0.plusSeconds(70)));
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, sandbox, T0.plusSeconds(70)))
                .isEqualTo(new ClaimIdleness.Expired(IdleAction.SUSPEND, T0.plusSeconds(10)));
    }

    @Test
    void activityPostponesTheDeadline() {
        annotate(sandbox, IdleAnnotations.LAST_ACTIVITY, "2026-01-01T00:01:00.500Z");
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, sandbox, T0.plusSeconds(100)))
                .isEqualTo(new ClaimIdleness.Awake(Instant.parse("2026-01-01T00:02:00.500Z")));
        // an older activity than the claim's first Ready does not move the clock back
        annotate(sandbox, IdleAnnotations.LAST_ACTIVITY, "2025-12-31T00:00:00Z");
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, sandbox, T0.plusSeconds(30)))
                .isEqualTo(new ClaimIdleness.Awake(T0.plusSeconds(70)));
        // an unreadable one is ignored
        annotate(sandbox, IdleAnnotations.LAST_ACTIVITY, "a while ago");
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, sandbox, T0.plusSeconds(70)))
                .isInstanceOf(ClaimIdleness.Expired.class);
    }

    @Test
    void aResumeRestartsTheClock() {
        Sandbox resumed = claimedBy(claim, T0.plusSeconds(200));
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, resumed, T0.plusSeconds(230)))
                .isEqualTo(new ClaimIdleness.Awake(T0.plusSeconds(260)));
    }

    @Test
    void aClaimNotYetStampedStartsItsClockNow() {
        SandboxClaim fresh = SandboxFixtures.claim("bob", null);
        Sandbox its = claimedBy(fresh, T0);
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, fresh, its, T0.plusSeconds(500)))
                .isEqualTo(new ClaimIdleness.Awake(T0.plusSeconds(560)));
    }

    @Test
    void theActionIsThePolicys() {
        IdlePolicy delete = new IdlePolicy.Active(Duration.ofSeconds(60), IdleAction.DELETE);
        assertThat(ClaimIdleness.of(delete, claim, sandbox, T0.plusSeconds(71)))
                .isEqualTo(new ClaimIdleness.Expired(IdleAction.DELETE, T0.plusSeconds(10)));
    }

    @Test
    void withoutAValidPolicyOrWhileNotReadyNothingIdles() {
        Instant late = T0.plusSeconds(10_000);
        assertThat(ClaimIdleness.of(new IdlePolicy.None(), claim, sandbox, late))
                .isInstanceOf(ClaimIdleness.Untouched.class);
        IdlePolicy invalid = new IdlePolicy.Invalid(claim, IdleAnnotations.IDLE_TIMEOUT, "x", "bad");
        assertThat(ClaimIdleness.of(invalid, claim, sandbox, late)).isInstanceOf(ClaimIdleness.Untouched.class);
        Sandbox starting = SandboxFixtures.withCondition(
                claimedBy(claim, T0),
                Conditions.find(
                                SandboxFixtures.sandbox("x", "n", false)
                                        .getStatus()
                                        .getConditions(),
                                Conditions.READY)
                        .orElseThrow());
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, starting, late))
                .isInstanceOf(ClaimIdleness.Untouched.class);
    }

    @Test
    void aWarmPoolMemberOrAnotherClaimsSandboxIsNeverIdled() {
        Sandbox member = SandboxFixtures.member(SandboxFixtures.pool("pool", 1), "m", "n", 0, true);
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, member, T0.plusSeconds(10_000)))
                .isInstanceOf(ClaimIdleness.Untouched.class);
        Sandbox others = SandboxFixtures.claimed("o", "n", "carol");
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, others, T0.plusSeconds(10_000)))
                .isInstanceOf(ClaimIdleness.Untouched.class);
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, null, T0)).isInstanceOf(ClaimIdleness.Untouched.class);
    }

    @Test
    void anIdleSuspensionSleepsUntilTheRouterWakesItAndAUsersSuspensionIsLeftAlone() {
        Instant late = T0.plusSeconds(10_000);
        sandbox.getSpec().setOperatingMode(OperatingMode.SUSPENDED);
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, sandbox, late))
                .isInstanceOf(ClaimIdleness.Untouched.class);
        annotate(sandbox, IdleAnnotations.SUSPENDED_BY, IdleAnnotations.SUSPENDED_BY_IDLE);
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, sandbox, late)).isInstanceOf(ClaimIdleness.Asleep.class);
        // woken by the router: Running with the mark still on; also when the policy was removed meanwhile
        sandbox.getSpec().setOperatingMode(OperatingMode.RUNNING);
        assertThat(ClaimIdleness.of(SUSPEND_AFTER_60S, claim, sandbox, late)).isInstanceOf(ClaimIdleness.Woken.class);
        assertThat(ClaimIdleness.of(new IdlePolicy.None(), claim, sandbox, late))
                .isInstanceOf(ClaimIdleness.Woken.class);
    }

    static SandboxClaim claimReadyAt(Instant at) {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        claim.getMetadata().setAnnotations(new HashMap<>(Map.of(Labels.CLAIM_FIRST_READY_AT, at.toString())));
        return claim;
    }

    /** A Ready Sandbox (since {@code readySince}) that {@code claim} controls. */
    static Sandbox claimedBy(SandboxClaim claim, Instant readySince) {
        Sandbox sandbox = SandboxFixtures.sandbox("s", "n", false);
        sandbox.getStatus()
                .setConditions(Conditions.with(
                        null, Conditions.READY, true, Conditions.DEPENDENCIES_READY, "", 1L, readySince));
        sandbox.getMetadata().setOwnerReferences(List.of(ClaimedSandboxes.ownerReference(claim)));
        sandbox.getMetadata().setAnnotations(new HashMap<>());
        sandbox.setSpec(new SandboxSpec());
        return sandbox;
    }

    static void annotate(Sandbox sandbox, String key, String value) {
        sandbox.getMetadata().getAnnotations().put(key, value);
    }
}
