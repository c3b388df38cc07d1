package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Sandbox;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** When a Sandbox expires ({@code spec.shutdownTime}) and how long until then. */
public final class Expiry {

    private Expiry() {}

    /** The shutdown instant, if set. An unparsable value is an error naming the Sandbox. */
    public static Optional<Instant> shutdownTime(Sandbox sandbox) {
        String value = sandbox.getSpec().getShutdownTime();
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeParseException e) {
            throw new InvalidSandboxSpec(
                    "sandbox " + sandbox.getMetadata().getNamespace() + "/"
                            + sandbox.getMetadata().getName() + ": spec.shutdownTime \"" + value
                            + "\" is not an RFC 3339 time",
                    e);
        }
    }

    public static boolean expired(Sandbox sandbox, Instant now) {
        return shutdownTime(sandbox).map(t -> !now.isBefore(t)).orElse(false);
    }

    /** Time left before expiry, when the Sandbox has a shutdown time still in the future. */
    public static Optional<Duration> remaining(Sandbox sandbox, Instant now) {
        return shutdownTime(sandbox).filter(now::isBefore).map(t -> Duration.between(now, t));
    }
}
