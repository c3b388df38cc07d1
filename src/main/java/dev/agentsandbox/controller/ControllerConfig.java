package dev.agentsandbox.controller;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the controller role as a whole. */
@ConfigMapping(prefix = "sandbox.controller")
public interface ControllerConfig {

    /** Namespace of the controller's Lease; the generated Deployment sets it to the Pod's own namespace. */
    @WithDefault("agent-sandbox-system")
    String leaseNamespace();

    /**
     * Reconcile only while holding the Lease (production profile), so that replicas can stand by. false: reconcile
     * at once, without a Lease; for exactly one replica (the Helm chart refuses more).
     */
    @WithDefault("true")
    boolean leaderElection();
}
