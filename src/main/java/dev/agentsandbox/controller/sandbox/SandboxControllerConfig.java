package dev.agentsandbox.controller.sandbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the Sandbox controller. */
@ConfigMapping(prefix = "sandbox.controller.sandbox")
public interface SandboxControllerConfig {

    /** The cluster's DNS domain, used in {@code status.serviceFQDN} ({@code <svc>.<ns>.svc.<domain>}). */
    @WithDefault("cluster.local")
    String clusterDomain();
}
