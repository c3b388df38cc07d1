package dev.agentsandbox.controller.claim;

import static dev.agentsandbox.controller.claim.SandboxFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.agentsandbox.api.ClaimedSandbox;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClaimStatusFactoryTest {

    static final Clock CLOCK = Clock.fixed(T0.plusSeconds(100), ZoneOffset.UTC);
    final ClaimStatusFactory statuses = new ClaimStatusFactory(CLOCK);

    static Stream<Arguments> blockedClaims() {
        return Stream.of(
                argumentSet(
                        "pool missing",
                        ClaimBlocked.poolNotFound("kata"),
                        Conditions.WARM_POOL_NOT_FOUND,
                        "claim ns/alice: warm pool \"kata\" not found"),
                argumentSet(
                        "template missing",
                        ClaimBlocked.templateNotFound("kata", "tpl"),
                        Conditions.TEMPLATE_NOT_FOUND,
                        "claim ns/alice: template \"tpl\" of warm pool \"kata\" not found"),
                argumentSet(
                        "invalid metadata",
                        ClaimBlocked.invalidMetadata("label x is not allowed"),
                        Conditions.INVALID_METADATA,
                        "claim ns/alice: label x is not allowed"),
                argumentSet(
                        "every candidate lost",
                        ClaimBlocked.adoptionConflict("lost every candidate: [a]"),
                        Conditions.ADOPTION_CONFLICT,
                        "claim ns/alice: lost every candidate: [a]"),
                argumentSet(
                        "waiting for a warm member",
                        ClaimBlocked.waitingForWarmMember("kata", Duration.ofMillis(500), Duration.ofMillis(200)),
                        Conditions.SANDBOX_CREATE_PENDING,
                        "claim ns/alice: waiting up to 500 ms for a warm sandbox of pool kata"),
                argumentSet(
                        "env refused",
                        ClaimBlocked.coldStartRefused(
                                Conditions.ENV_VARS_INJECTION_REJECTED, "spec.env is not allowed"),
                        Conditions.ENV_VARS_INJECTION_REJECTED,
                        "claim ns/alice: spec.env is not allowed"),
                argumentSet(
                        "own name taken",
                        ClaimBlocked.coldStartTaken("sandbox ns/alice is already owned by Foo x"),
                        Conditions.RECONCILER_ERROR,
                        "claim ns/alice: cannot start cold: sandbox ns/alice is already owned by Foo x"),
                argumentSet(
                        "sandbox gone",
                        ClaimBlocked.sandboxMissing("alice"),
                        Conditions.SANDBOX_MISSING,
                        "claim ns/alice: sandbox alice no longer exists"));
    }

    @ParameterizedTest
    @MethodSource("blockedClaims")
    void aBlockedClaimIsNotReadyWithItsReason(ClaimBlocked why, String reason, String message) {
        // given
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        // when
        SandboxClaimStatus status = statuses.of(new ClaimProgress.Blocked(claim, why), claim, IdleOutcome.NO_POLICY);
        // then
        assertThat(ready(status))
                .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
                .containsExactly(Conditions.FALSE, reason, message);
        assertThat(ready(status).getLastTransitionTime()).isEqualTo(Conditions.timestamp(CLOCK.instant()));
        assertThat(ready(status).getObservedGeneration()).isEqualTo(1L);
    }

    static Stream<Arguments> sandboxes() {
        return Stream.of(
                argumentSet(
                        "Ready sandbox",
                        SandboxFixtures.sandbox("sb", "node-a", true),
                        Conditions.TRUE,
                        Conditions.DEPENDENCIES_READY,
                        "sandbox sb is Ready"),
                argumentSet(
                        "starting sandbox",
                        SandboxFixtures.sandbox("sb", "node-a", false),
                        Conditions.FALSE,
                        Conditions.SANDBOX_NOT_READY,
                        "sandbox sb is not Ready: DependenciesNotReady"),
                argumentSet(
                        "sandbox without status",
                        withoutStatus(SandboxFixtures.sandbox("sb", "node-a", false)),
                        Conditions.FALSE,
                        Conditions.SANDBOX_NOT_READY,
                        "sandbox sb is not Ready"),
                argumentSet(
                        "expired sandbox",
                        SandboxFixtures.withCondition(
                                SandboxFixtures.sandbox("sb", "node-a", false),
                                Conditions.with(
                                                null,
                                                Conditions.READY,
                                                false,
                                                Conditions.SANDBOX_EXPIRED,
                                                "gone",
                                                1L,
                                                T0)
                                        .get(0)),
                        Conditions.FALSE,
                        Conditions.SANDBOX_EXPIRED,
                        "sandbox sb expired"));
    }

    @ParameterizedTest
    @MethodSource("sandboxes")
    void aBoundClaimMirrorsItsSandbox(Sandbox sandbox, String status, String reason, String message) {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);

        SandboxClaimStatus result = statuses.of(new ClaimProgress.Bound(claim, sandbox), claim, IdleOutcome.NO_POLICY);

        assertThat(ready(result))
                .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
                .containsExactly(status, reason, message);
        assertThat(result.getSandbox().getName()).isEqualTo("sb");
    }

    @Test
    void podIPsAreShownOnlyWhenTheSandboxHasThem() {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        Sandbox sandbox = SandboxFixtures.sandbox("sb", "node-a", true);

        assertThat(statuses.mirroring(claim, sandbox).getSandbox().getPodIPs()).isNull();
        sandbox.getStatus().setPodIPs(List.of("10.0.0.7"));
        assertThat(statuses.mirroring(claim, sandbox).getSandbox().getPodIPs()).containsExactly("10.0.0.7");
    }

    @Test
    void finishedIsCarriedWithTheSandboxesTransitionTime() {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        Sandbox sandbox = finished(SandboxFixtures.sandbox("sb", "node-a", false));

        SandboxClaimStatus status = statuses.mirroring(claim, sandbox);

        Condition finished =
                Conditions.find(status.getConditions(), Conditions.FINISHED).orElseThrow();
        assertThat(finished)
                .extracting(Condition::getStatus, Condition::getReason, Condition::getLastTransitionTime)
                .containsExactly(Conditions.TRUE, Conditions.POD_SUCCEEDED, Conditions.timestamp(T0));
    }

    @Test
    void finishedGoesWhenTheSandboxNoLongerHasIt() {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        Sandbox finished = finished(SandboxFixtures.sandbox("sb", "node-a", false));
        claim.setStatus(statuses.mirroring(claim, finished));

        SandboxClaimStatus status = statuses.mirroring(claim, SandboxFixtures.sandbox("sb", "node-a", true));

        assertThat(Conditions.find(status.getConditions(), Conditions.FINISHED)).isEmpty();
    }

    @Test
    void theTransitionTimeMovesOnlyWhenReadyChanges() {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        claim.setStatus(new ClaimStatusFactory(Clock.fixed(T0, ZoneOffset.UTC))
                .blocked(claim, ClaimBlocked.poolNotFound("kata")));

        SandboxClaimStatus stillBlocked = statuses.blocked(claim, ClaimBlocked.templateNotFound("kata", "tpl"));
        SandboxClaimStatus ready = statuses.mirroring(claim, SandboxFixtures.sandbox("sb", "node-a", true));

        assertThat(ready(stillBlocked).getLastTransitionTime()).isEqualTo(Conditions.timestamp(T0));
        assertThat(ready(ready).getLastTransitionTime()).isEqualTo(Conditions.timestamp(CLOCK.instant()));
    }

    @Test
    void aBlockedOrFailedClaimKeepsTheSandboxItShows() {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        claim.setStatus(statuses.mirroring(claim, SandboxFixtures.sandbox("sb", "node-a", true)));

        assertThat(statuses.blocked(claim, ClaimBlocked.sandboxMissing("sb"))
                        .getSandbox()
                        .getName())
                .isEqualTo("sb");
        SandboxClaimStatus failed = statuses.failed(claim, new IllegalStateException("boom"));
        assertThat(failed.getSandbox().getName()).isEqualTo("sb");
        assertThat(ready(failed))
                .extracting(Condition::getReason, Condition::getMessage)
                .containsExactly(Conditions.RECONCILER_ERROR, "claim ns/alice: boom");
    }

    @Test
    void anExpiredClaimKeepsTheSandboxNameButNotItsAddresses() {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        Sandbox sandbox = SandboxFixtures.sandbox("sb", "node-a", true);
        sandbox.getStatus().setPodIPs(List.of("10.0.0.7"));
        claim.setStatus(statuses.mirroring(claim, sandbox));

        SandboxClaimStatus expired = statuses.expired(claim, T0);

        assertThat(expired.getSandbox())
                .extracting(ClaimedSandbox::getName, ClaimedSandbox::getPodIPs)
                .containsExactly("sb", null);
        assertThat(claim.getStatus().getSandbox().getPodIPs())
                .as("the observed claim")
                .containsExactly("10.0.0.7");
        assertThat(ready(expired))
                .extracting(Condition::getReason, Condition::getMessage)
                .containsExactly(
                        Conditions.CLAIM_EXPIRED, "claim ns/alice expired at " + T0 + "; its sandbox was deleted");
    }

    @Test
    void aStatusThatChangesNothingIsRecognised() {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        Sandbox sandbox = SandboxFixtures.sandbox("sb", "node-a", true);
        assertThat(ClaimStatusFactory.unchanged(claim, statuses.mirroring(claim, sandbox)))
                .isFalse();

        claim.setStatus(statuses.mirroring(claim, sandbox));
        SandboxClaimStatus later =
                new ClaimStatusFactory(Clock.offset(CLOCK, Duration.ofMinutes(5))).mirroring(claim, sandbox);

        assertThat(ClaimStatusFactory.unchanged(claim, later)).isTrue();
        assertThat(ClaimStatusFactory.isReady(later)).isTrue();
    }

    @Test
    void anIdleSuspendedClaimSaysSoAndTheMirrorComesBackWhenItIsWoken() {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        Sandbox sandbox = SandboxFixtures.sandbox("sb", "node-a", false);
        IdlePolicy policy = new IdlePolicy.Active(Duration.ofMinutes(15), IdleAnnotations.IdleAction.SUSPEND);

        SandboxClaimStatus asleep =
                statuses.of(new ClaimProgress.Bound(claim, sandbox), claim, IdleOutcome.asleep(policy));
        claim.setStatus(asleep);
        SandboxClaimStatus woken = statuses.of(
                new ClaimProgress.Bound(claim, SandboxFixtures.sandbox("sb", "node-a", true)),
                claim,
                IdleOutcome.awake(policy, null));

        assertThat(ready(asleep))
                .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
                .containsExactly(
                        Conditions.FALSE,
                        Conditions.IDLE_SUSPENDED,
                        "sandbox sb was suspended by the idle policy; the next request through the router wakes it");
        assertThat(asleep.getSandbox().getName()).isEqualTo("sb");
        assertThat(ready(woken))
                .extracting(Condition::getStatus, Condition::getReason)
                .containsExactly(Conditions.TRUE, Conditions.DEPENDENCIES_READY);
    }

    @Test
    void theIdlePolicyIsShownWhileThereIsOneAndKeepsItsTransitionTime() {
        SandboxClaim claim = SandboxFixtures.claim("alice", null);
        Sandbox sandbox = SandboxFixtures.sandbox("sb", "node-a", true);
        ClaimProgress bound = new ClaimProgress.Bound(claim, sandbox);
        IdlePolicy invalid = new IdlePolicy.Invalid(claim, IdleAnnotations.IDLE_TIMEOUT, "soon", "\"soon\" is bad");

        claim.setStatus(new ClaimStatusFactory(Clock.fixed(T0, ZoneOffset.UTC))
                .of(bound, claim, IdleOutcome.awake(invalid, null)));
        SandboxClaimStatus stillInvalid = statuses.of(bound, claim, IdleOutcome.awake(invalid, null));
        SandboxClaimStatus valid = statuses.of(
                bound,
                claim,
                IdleOutcome.awake(
                        new IdlePolicy.Active(Duration.ofMinutes(15), IdleAnnotations.IdleAction.SUSPEND), null));
        SandboxClaimStatus none = statuses.of(bound, claim, IdleOutcome.NO_POLICY);

        assertThat(policyCondition(stillInvalid))
                .extracting(
                        Condition::getStatus,
                        Condition::getReason,
                        Condition::getMessage,
                        Condition::getLastTransitionTime)
                .containsExactly(
                        Conditions.FALSE,
                        Conditions.INVALID_IDLE_POLICY,
                        "SandboxClaim ns/alice: annotation agents.x-k8s.io/idle-timeout: \"soon\" is bad; the idle"
                                + " policy is not applied",
                        Conditions.timestamp(T0));
        assertThat(ready(stillInvalid).getStatus())
                .as("the claim keeps working")
                .isEqualTo(Conditions.TRUE);
        assertThat(policyCondition(valid))
                .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
                .containsExactly(Conditions.TRUE, Conditions.IDLE_POLICY_VALID, "Suspend after 15m0s without requests");
        assertThat(Conditions.find(none.getConditions(), Conditions.IDLE_POLICY_ACCEPTED))
                .isEmpty();
    }

    private static Condition policyCondition(SandboxClaimStatus status) {
        return Conditions.find(status.getConditions(), Conditions.IDLE_POLICY_ACCEPTED)
                .orElseThrow();
    }

    private static Condition ready(SandboxClaimStatus status) {
        return Conditions.find(status.getConditions(), Conditions.READY).orElseThrow();
    }

    private static Sandbox finished(Sandbox sandbox) {
        return SandboxFixtures.withCondition(
                sandbox,
                Conditions.with(null, Conditions.FINISHED, true, Conditions.POD_SUCCEEDED, "done", 1L, T0)
                        .get(0));
    }

    private static Sandbox withoutStatus(Sandbox sandbox) {
        sandbox.setStatus(null);
        return sandbox;
    }
}
