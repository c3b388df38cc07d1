package dev.agentsandbox.controller.claim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.ClaimLifecycle;
import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClaimExpiryTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void noLifecycleNeverExpires() {
        assertThat(ClaimExpiry.at(ClaimFixtures.claim("ns", "c", "pool"), null)).isEmpty();
    }

    @Test
    void shutdownTimeAlone() {
        SandboxClaim claim = claim(T0.plusSeconds(60).toString(), 30L);
        assertThat(ClaimExpiry.at(claim, null)).contains(T0.plusSeconds(60));
    }

    @Test
    void finishedPlusTtlWhenEarlier() {
        SandboxClaim claim = claim(T0.plusSeconds(600).toString(), 30L);
        assertThat(ClaimExpiry.at(claim, finishedAt(T0))).contains(T0.plusSeconds(30));
    }

    @Test
    void shutdownTimeWhenEarlierThanFinishedPlusTtl() {
        SandboxClaim claim = claim(T0.plusSeconds(10).toString(), 30L);
        assertThat(ClaimExpiry.at(claim, finishedAt(T0))).contains(T0.plusSeconds(10));
    }

    @Test
    void ttlAloneOnlyOnceFinished() {
        SandboxClaim claim = claim(null, 0L);
        assertThat(ClaimExpiry.at(claim, new Sandbox())).isEmpty();
        assertThat(ClaimExpiry.at(claim, finishedAt(T0))).contains(T0);
    }

    private static SandboxClaim claim(String shutdownTime, Long ttl) {
        SandboxClaim claim = ClaimFixtures.claim("ns", "c", "pool");
        ClaimLifecycle lifecycle = new ClaimLifecycle();
        lifecycle.setShutdownTime(shutdownTime);
        lifecycle.setTtlSecondsAfterFinished(ttl);
        claim.getSpec().setLifecycle(lifecycle);
        return claim;
    }

    private static Sandbox finishedAt(Instant at) {
        Sandbox sandbox = new Sandbox();
        SandboxStatus status = new SandboxStatus();
        status.setConditions(
                List.of(Conditions.with(null, Conditions.FINISHED, true, Conditions.POD_SUCCEEDED, "", 1L, at)
                        .get(0)));
        sandbox.setStatus(status);
        return sandbox;
    }
}
