package dev.agentsandbox.app;

/**
 * Work a role must do before Quarkus boots (local mode starts its embedded API server here, so that the
 * Kubernetes client is configured for it). Found with {@link java.util.ServiceLoader}.
 */
public interface PreBoot {

    void beforeBoot(Role role, String[] args);
}
