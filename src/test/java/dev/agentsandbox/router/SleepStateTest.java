package dev.agentsandbox.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.SandboxStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the router reads a cached Sandbox's sleep: suspended by whom, and whether it is on its way back. */
class SleepStateTest {

    static final Instant NOW = Instant.parse("2026-12-05T06:00:00Z");
    static final long WINDOW = 180_000;

    static RoutedSandbox sandbox(String mode, String suspendedBy, boolean ready, Instant resumedAt) {
        RoutedSandbox sandbox = new RoutedSandbox();
        Map<String, String> annotations = new HashMap<>();
        if (suspendedBy != null) {
            annotations.put(IdleAnnotations.SUSPENDED_BY, suspendedBy);
        }
        sandbox.setMetadata(new ObjectMetaBuilder()
                .withNamespace("demo")
                .withName("s")
                .withAnnotations(annotations)
                .build());
        RoutedSandbox.Spec spec = new RoutedSandbox.Spec();
        spec.setOperatingMode(mode);
        sandbox.setSpec(spec);
        SandboxStatus status = new SandboxStatus();
        var conditions = Conditions.with(
                null,
                Conditions.READY,
                ready,
                ready ? Conditions.DEPENDENCIES_READY : Conditions.DEPENDENCIES_NOT_READY,
                "",
                1L,
                NOW);
        if (resumedAt != null) {
            conditions = Conditions.with(
                    conditions, Conditions.SUSPENDED, false, Conditions.NOT_SUSPENDED, "", 1L, resumedAt);
        }
        status.setConditions(conditions);
        status.setPodIPs(ready ? List.of("10.0.0.1") : List.of());
        sandbox.setStatus(status);
        return sandbox;
    }

    static SleepState of(RoutedSandbox sandbox) {
        return SleepState.of(sandbox, NOW.toEpochMilli(), WINDOW);
    }

    @Test
    void suspendedByTheIdlePolicyIsWokenAndByAnyoneElseNot() {
        assertThat(of(sandbox("Suspended", "idle", false, null))).isEqualTo(SleepState.IDLE_SUSPENDED);
        assertThat(of(sandbox("Suspended", null, false, null))).isEqualTo(SleepState.USER_SUSPENDED);
        assertThat(of(sandbox("Suspended", "someone", false, null))).isEqualTo(SleepState.USER_SUSPENDED);
        // a stale Ready does not hide a suspension
        assertThat(of(sandbox("Suspended", "idle", true, null))).isEqualTo(SleepState.IDLE_SUSPENDED);
    }

    @Test
    void runningAgainButNotReadyIsWakingUntilTheWindowPasses() {
        // woken, the controller has not cleared suspended-by yet
        assertThat(of(sandbox("Running", "idle", false, null))).isEqualTo(SleepState.WAKING);
        // cleared, the Pod still starting
        assertThat(of(sandbox("Running", null, false, NOW.minusSeconds(5)))).isEqualTo(SleepState.WAKING);
        // resumed long ago and not Ready now: an ordinary not-Ready sandbox (503)
        assertThat(of(sandbox("Running", null, false, NOW.minusSeconds(600)))).isEqualTo(SleepState.AWAKE);
        assertThat(of(sandbox(null, null, false, null))).isEqualTo(SleepState.AWAKE);
    }

    @Test
    void readyIsAwakeWhateverItWentThrough() {
        assertThat(of(sandbox("Running", "idle", true, NOW))).isEqualTo(SleepState.AWAKE);
        assertThat(of(sandbox(null, null, true, null))).isEqualTo(SleepState.AWAKE);
    }
}
