package dev.agentsandbox.controller.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SandboxStatusAggregatorTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final String DOMAIN = "cluster.local";

    static Stream<Arguments> readyCases() {
        return Stream.of(
                argumentSet(
                        "no Pod yet",
                        (Function<Sandbox, SandboxState>) s -> SandboxState.reconciled(s, null, null, null),
                        false,
                        Conditions.DEPENDENCIES_NOT_READY,
                        "Pod s does not exist yet"),
                argumentSet(
                        "Pod Ready",
                        (Function<Sandbox, SandboxState>) s -> SandboxState.reconciled(s, running(true), null, null),
                        true,
                        Conditions.DEPENDENCIES_READY,
                        "Pod s is Ready"),
                argumentSet(
                        "Pod Ready, required Service missing",
                        (Function<Sandbox, SandboxState>) s -> {
                            s.getSpec().setService(true);
                            return SandboxState.reconciled(s, running(true), null, null);
                        },
                        false,
                        Conditions.DEPENDENCIES_NOT_READY,
                        "Service s does not exist yet"),
                argumentSet(
                        "Pod running, not Ready",
                        (Function<Sandbox, SandboxState>) s -> SandboxState.reconciled(s, running(false), null, null),
                        false,
                        Conditions.DEPENDENCIES_NOT_READY,
                        "Pod s is not Ready"),
                argumentSet(
                        "two Pods",
                        (Function<Sandbox, SandboxState>) s -> SandboxState.multiplePods(s, List.of("a", "b"), null),
                        false,
                        Conditions.MULTIPLE_PODS,
                        "2 Pods are controlled by this Sandbox [a, b]; refusing to choose or create one"),
                argumentSet(
                        "spec refused",
                        (Function<Sandbox, SandboxState>)
                                s -> SandboxState.refused(s, null, null, "volumeClaimTemplates changed"),
                        false,
                        Conditions.RECONCILER_ERROR,
                        "volumeClaimTemplates changed"),
                argumentSet(
                        "suspended",
                        (Function<Sandbox, SandboxState>) s -> {
                            s.getSpec().setOperatingMode(OperatingMode.SUSPENDED);
                            return SandboxState.reconciled(s, null, null, null);
                        },
                        false,
                        Conditions.SANDBOX_SUSPENDED,
                        "operatingMode is Suspended"),
                argumentSet(
                        "expired",
                        (Function<Sandbox, SandboxState>) SandboxState::expired,
                        false,
                        Conditions.SANDBOX_EXPIRED,
                        "Sandbox expired at null; its Pod and Service were deleted"),
                argumentSet(
                        "Pod Succeeded",
                        (Function<Sandbox, SandboxState>)
                                s -> SandboxState.reconciled(s, inPhase("Succeeded"), null, null),
                        false,
                        Conditions.POD_SUCCEEDED,
                        "Pod s has Succeeded"),
                argumentSet(
                        "Pod Failed",
                        (Function<Sandbox, SandboxState>)
                                s -> SandboxState.reconciled(s, inPhase("Failed"), null, null),
                        false,
                        Conditions.POD_FAILED,
                        "Pod s has Failed"));
    }

    @ParameterizedTest
    @MethodSource("readyCases")
    void readySaysWhatThePassSaw(
            Function<Sandbox, SandboxState> observed, boolean ready, String reason, String messageStart) {
        // given
        Sandbox sandbox = SandboxReconcilerIT.sandbox("s");
        SandboxState state = observed.apply(sandbox);
        // when
        SandboxStatus status = SandboxStatusAggregator.aggregate(sandbox, state, CLOCK.instant(), DOMAIN);
        // then
        Condition condition = condition(status, Conditions.READY);
        assertThat(condition.getStatus()).isEqualTo(ready ? Conditions.TRUE : Conditions.FALSE);
        assertThat(condition.getReason()).isEqualTo(reason);
        assertThat(condition.getMessage()).startsWith(messageStart);
        assertThat(condition.getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void aSandboxNeverSuspendedHasNoSuspendedConditionAndAResumedOneSaysNotSuspended() {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("s");
        SandboxStatus running = aggregate(sandbox, SandboxState.reconciled(sandbox, running(true), null, null));
        assertThat(Conditions.find(running.getConditions(), Conditions.SUSPENDED))
                .isEmpty();

        sandbox.getSpec().setOperatingMode(OperatingMode.SUSPENDED);
        sandbox.setStatus(aggregate(sandbox, SandboxState.reconciled(sandbox, null, null, null)));
        assertThat(condition(sandbox.getStatus(), Conditions.SUSPENDED).getReason())
                .isEqualTo(Conditions.POD_TERMINATED);

        sandbox.getSpec().setOperatingMode(OperatingMode.RUNNING);
        SandboxStatus resumed = aggregate(sandbox, SandboxState.reconciled(sandbox, null, null, null));
        assertThat(condition(resumed, Conditions.SUSPENDED).getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(condition(resumed, Conditions.SUSPENDED).getReason()).isEqualTo(Conditions.NOT_SUSPENDED);
    }

    @Test
    void aSuspendedSandboxReportsAPodItDoesNotOwn() {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("s");
        sandbox.getSpec().setOperatingMode(OperatingMode.SUSPENDED);
        SandboxStatus status = aggregate(sandbox, SandboxState.reconciled(sandbox, null, running(true), null));
        assertThat(condition(status, Conditions.SUSPENDED).getReason()).isEqualTo(Conditions.POD_NOT_OWNED);
        assertThat(condition(status, Conditions.SUSPENDED).getMessage()).contains("controlled by nobody");
    }

    @Test
    void finishedStaysWhenTheFinishedPodIsRemoved() {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("s");
        sandbox.setStatus(aggregate(sandbox, SandboxState.reconciled(sandbox, inPhase("Succeeded"), null, null)));
        assertThat(condition(sandbox.getStatus(), Conditions.FINISHED).getReason())
                .isEqualTo(Conditions.POD_SUCCEEDED);
        SandboxStatus later = aggregate(sandbox, SandboxState.reconciled(sandbox, null, null, null));
        assertThat(condition(later, Conditions.FINISHED).getReason()).isEqualTo(Conditions.POD_SUCCEEDED);
    }

    @Test
    void theServiceAndPodAddressesAreReported() {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("s");
        Service service = new ServiceBuilder()
                .withNewMetadata()
                .withName("s")
                .endMetadata()
                .build();
        SandboxStatus status = aggregate(sandbox, SandboxState.reconciled(sandbox, running(true), null, service));
        assertThat(status.getService()).isEqualTo("s");
        assertThat(status.getServiceFQDN()).isEqualTo("s.test.svc.cluster.local");
        assertThat(status.getPodIPs()).containsExactly("10.0.0.1");
        assertThat(status.getNodeName()).isEqualTo("node-1");
        assertThat(condition(status, Conditions.POD_SCHEDULED).getStatus()).isEqualTo(Conditions.TRUE);
    }

    @Test
    void theTransitionTimeMovesOnlyWhenTheStatusDoes() {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("s");
        sandbox.setStatus(aggregate(sandbox, SandboxState.reconciled(sandbox, null, null, null)));
        Instant later = CLOCK.instant().plus(Duration.ofMinutes(5));
        SandboxStatus stillWaiting = SandboxStatusAggregator.aggregate(
                sandbox, SandboxState.reconciled(sandbox, running(false), null, null), later, DOMAIN);
        assertThat(condition(stillWaiting, Conditions.READY).getLastTransitionTime())
                .isEqualTo("2026-01-01T00:00:00Z");
        SandboxStatus ready = SandboxStatusAggregator.aggregate(
                sandbox, SandboxState.reconciled(sandbox, running(true), null, null), later, DOMAIN);
        assertThat(condition(ready, Conditions.READY).getLastTransitionTime()).isEqualTo("2026-01-01T00:05:00Z");
    }

    @Test
    void aFailureIsReconcilerErrorWithTheMessageOfTheCauseWeRaised() {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("s");
        Exception wrapped = new RuntimeException(
                "operator SDK wrapper",
                new SandboxConflict("sandbox test/s: Pod s is controlled by Other/x; not touching it"));
        SandboxStatus status = SandboxStatusAggregator.failed(sandbox, wrapped, CLOCK.instant());
        Condition ready = condition(status, Conditions.READY);
        assertThat(ready.getStatus()).isEqualTo(Conditions.FALSE);
        assertThat(ready.getReason()).isEqualTo(Conditions.RECONCILER_ERROR);
        assertThat(ready.getMessage()).isEqualTo("sandbox test/s: Pod s is controlled by Other/x; not touching it");
        assertThat(status.getSelector()).startsWith("agents.x-k8s.io/sandbox-name-hash=");
    }

    private static SandboxStatus aggregate(Sandbox sandbox, SandboxState state) {
        return SandboxStatusAggregator.aggregate(sandbox, state, CLOCK.instant(), DOMAIN);
    }

    private static Condition condition(SandboxStatus status, String type) {
        return Conditions.find(status.getConditions(), type).orElseThrow(() -> new AssertionError("no " + type));
    }

    private static Pod running(boolean ready) {
        return new PodBuilder()
                .withNewMetadata()
                .withName("s")
                .endMetadata()
                .withNewSpec()
                .withNodeName("node-1")
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .withPodIP("10.0.0.1")
                .addNewPodIP("10.0.0.1")
                .addNewCondition()
                .withType("PodScheduled")
                .withStatus("True")
                .endCondition()
                .addNewCondition()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .endCondition()
                .endStatus()
                .build();
    }

    private static Pod inPhase(String phase) {
        return new PodBuilder()
                .withNewMetadata()
                .withName("s")
                .endMetadata()
                .withNewStatus()
                .withPhase(phase)
                .endStatus()
                .build();
    }
}
