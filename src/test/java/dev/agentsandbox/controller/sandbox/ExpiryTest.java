package dev.agentsandbox.controller.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentsandbox.api.Sandbox;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiryTest {

    private final Instant now = Instant.parse("2026-01-01T10:00:00.250Z");

    @Test
    void requeueDelayIsExactlyTheTimeLeft() {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("e");
        sandbox.getSpec().setShutdownTime("2026-01-01T11:00:00Z");
        assertThat(Expiry.expired(sandbox, now)).isFalse();
        assertThat(Expiry.remaining(sandbox, now)).contains(Duration.ofHours(1).minusMillis(250));
    }

    @Test
    void expiresAtTheShutdownTimeItself() {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("e");
        sandbox.getSpec().setShutdownTime("2026-01-01T12:00:00+02:00");
        assertThat(Expiry.expired(sandbox, Instant.parse("2026-01-01T09:59:59.999Z")))
                .isFalse();
        assertThat(Expiry.expired(sandbox, Instant.parse("2026-01-01T10:00:00Z")))
                .isTrue();
        assertThat(Expiry.remaining(sandbox, Instant.parse("2026-01-01T10:00:00Z")))
                .isEmpty();
    }

    @Test
    void noShutdownTimeNeverExpires() {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("e");
        assertThat(Expiry.expired(sandbox, now)).isFalse();
        assertThat(Expiry.remaining(sandbox, now)).isEmpty();
    }

    @Test
    void anUnparsableTimeIsAnErrorNamingTheSandbox() {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("e");
        sandbox.getSpec().setShutdownTime("tomorrow");
        assertThatThrownBy(() -> Expiry.expired(sandbox, now))
                .isInstanceOf(InvalidSandboxSpec.class)
                .hasMessage("sandbox test/e: spec.shutdownTime \"tomorrow\" is not an RFC 3339 time");
    }
}
