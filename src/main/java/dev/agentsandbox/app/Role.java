package dev.agentsandbox.app;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What one process of the application runs; chosen by the first argument or {@code SANDBOX_ROLE}. */
public enum Role {
    /** The four reconcilers, with leader election. */
    CONTROLLER,
    /** The header router in front of the sandboxes. */
    ROUTER,
    /** The owner-aware chat agent inside a sandbox pod. */
    AGENT,
    /** The command-line client: a command that exits, with no HTTP listener. */
    CLIENT,
    /** Controllers and router plus the embedded runtime (API server, process kubelet, demo model). */
    LOCAL;

    /** The configuration key that holds the role ({@code SANDBOX_ROLE} in the environment). */
    public static final String CONFIG_KEY = "sandbox.role";

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean runsControllers() {
        return this == CONTROLLER || this == LOCAL;
    }

    public boolean runsRouter() {
        return this == ROUTER || this == LOCAL;
    }

    public boolean runsAgent() {
        return this == AGENT;
    }

    public static Optional<Role> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Arrays.stream(values())
                .filter(r -> r.id().equals(value.trim().toLowerCase(Locale.ROOT)))
                .findFirst();
    }

    public static String choices() {
        return Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", "));
    }
}
