package dev.agentsandbox.controller.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.agentsandbox.api.Sandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExpiryTest {

    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00.250Z");

    static Stream<Arguments> cases() {
        return Stream.of(
                argumentSet("no shutdown time never expires", null, NOW, false, Optional.empty()),
                argumentSet("a blank shutdown time never expires", " ", NOW, false, Optional.empty()),
                argumentSet(
                        "the requeue delay is exactly the time left",
                        "2026-01-01T11:00:00Z",
                        NOW,
                        false,
                        Optional.of(Duration.ofHours(1).minusMillis(250))),
                argumentSet(
                        "a millisecond before the shutdown time (other offset)",
                        "2026-01-01T12:00:00+02:00",
                        Instant.parse("2026-01-01T09:59:59.999Z"),
                        false,
                        Optional.of(Duration.ofMillis(1))),
                argumentSet(
                        "expires at the shutdown time itself",
                        "2026-01-01T12:00:00+02:00",
                        Instant.parse("2026-01-01T10:00:00Z"),
                        true,
                        Optional.empty()),
                argumentSet("stays expired afterwards", "2026-01-01T09:00:00Z", NOW, true, Optional.empty()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void expiryAndTimeLeft(String shutdownTime, Instant now, boolean expired, Optional<Duration> remaining) {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("e");
        sandbox.getSpec().setShutdownTime(shutdownTime);
        assertThat(Expiry.expired(sandbox, now)).isEqualTo(expired);
        assertThat(Expiry.remaining(sandbox, now)).isEqualTo(remaining);
    }

    @Test
    void anUnparsableTimeIsAnErrorNamingTheSandbox() {
        Sandbox sandbox = SandboxReconcilerIT.sandbox("e");
        sandbox.getSpec().setShutdownTime("tomorrow");
        assertThatThrownBy(() -> Expiry.expired(sandbox, NOW))
                .isInstanceOf(InvalidSandboxSpec.class)
                .hasMessage("sandbox test/e: spec.shutdownTime \"tomorrow\" is not an RFC 3339 time");
    }
}
