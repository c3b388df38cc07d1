package dev.agentsandbox.client;

import dev.agentsandbox.api.IdleAnnotations;
import dev.agentsandbox.api.OperatingMode;
import dev.agentsandbox.api.Sandbox;
import java.util.Map;

/** How a Sandbox sleeps, as the client reads it: for being idle (the router wakes it), or by a user's hand (not). */
final class SandboxSleep {

    private SandboxSleep() {}

    /** Marked by the idle policy ({@code suspended-by: idle}): asleep, or being woken and not yet unmarked. */
    static boolean forIdle(Sandbox sandbox) {
        Map<String, String> annotations = sandbox.getMetadata().getAnnotations();
        return annotations != null
                && IdleAnnotations.SUSPENDED_BY_IDLE.equals(annotations.get(IdleAnnotations.SUSPENDED_BY));
    }

    /** Suspended without the idle policy's mark: the router answers 409 and wakes nothing. */
    static boolean byUser(Sandbox sandbox) {
        return sandbox.getSpec() != null
                && sandbox.getSpec().getOperatingMode() == OperatingMode.SUSPENDED
                && !forIdle(sandbox);
    }
}
