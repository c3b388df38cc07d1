package dev.agentsandbox.controller.claim;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** Settings of the claim controller. */
@ConfigMapping(prefix = "sandbox.claim")
public interface ClaimConfig {

    /** How long a claim waits for a pool member that is on its way before it starts a Sandbox cold. */
    @WithDefault("2s")
    Duration warmWait();

    /** Domains whose label keys (and their subdomains) a claim may add to its Pod through additionalPodMetadata. */
    @WithDefault("sandbox.users.io")
    List<String> allowedLabelDomains();
}
