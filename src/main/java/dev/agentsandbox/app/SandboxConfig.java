package dev.agentsandbox.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings shared by every role. */
@ConfigMapping(prefix = "sandbox")
public interface SandboxConfig {

    /** Which part of the platform this process runs (first argument or {@code SANDBOX_ROLE}). */
    @WithDefault("controller")
    Role role();
}
