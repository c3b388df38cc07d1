package dev.agentsandbox.router;

/**
 * Thrown by {@link SandboxRoutes#resolve} for an authorised request whose sandbox is idle-suspended or waking: the
 * request is held until the sandbox is Ready ({@link SandboxWakes}), not refused. Carries no stack trace.
 */
final class SandboxAsleep extends RuntimeException {

    private final transient RoutedSandbox sandbox;
    private final SleepState state;

    SandboxAsleep(RoutedSandbox sandbox, SleepState state) {
        super(sandbox.key() + " is " + state, null, false, false);
        this.sandbox = sandbox;
        this.state = state;
    }

    /** The Sandbox as the router's cache showed it. */
    RoutedSandbox sandbox() {
        return sandbox;
    }

    /** {@link SleepState#IDLE_SUSPENDED} (to be woken) or {@link SleepState#WAKING}. */
    SleepState state() {
        return state;
    }
}
