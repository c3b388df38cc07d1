package dev.agentsandbox.controller;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;

/** The Lease that lets two controller replicas run safely: only the holder reconciles. */
public class LeaderElection {

    /** The Lease's name, in the controller's namespace. */
    public static final String LEASE_NAME = "agent-sandbox-controller";

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(
            @ConfigProperty(name = "sandbox.controller.lease-namespace", defaultValue = "agent-sandbox-system") String namespace) {
        return new LeaderElectionConfiguration(LEASE_NAME, namespace);
    }
}
