package dev.agentsandbox.controller;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The Lease that lets two controller replicas run safely: only the holder reconciles. A replica that loses the
 * Lease while running exits (its Pod restarts as a standby); one that gives it up because it is shutting down
 * exits normally. {@code sandbox.controller.leader-election=false} leaves the operator without one (a single
 * replica that starts reconciling at once).
 */
public class LeaderElection {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    /** The Lease's name, in the controller's namespace. */
    public static final String LEASE_NAME = "agent-sandbox-controller";

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(ControllerConfig config) {
        if (!config.leaderElection()) {
            // the operator SDK runs without leader election when this (pseudo-scoped) bean is null
            LOG.info("leader election is off (sandbox.controller.leader-election=false): run one replica only");
            return null;
        }
        // a config mapping, not a loose @ConfigProperty: the "sandbox" mapping refuses unknown sandbox.* system
        // properties, so -Dsandbox.controller.lease-namespace=... would otherwise stop the application at start
        String namespace = config.leaseNamespace();
        return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME)
                .withLeaseNamespace(namespace)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> LOG.infof("leading: holding Lease %s/%s", namespace, LEASE_NAME),
                        LeaderElection::stoppedLeading,
                        identity -> LOG.debugf("Lease %s/%s is held by %s", namespace, LEASE_NAME, identity)))
                // JOSDK would call System.exit(1) on every end of leadership, a clean shutdown included; its builder
                // accepts "don't exit" only through buildForTest, so the callback above decides instead.
                .buildForTest(false);
    }

    private static void stoppedLeading() {
        if (OperatorLifecycle.stopping()) {
            return;
        }
        LOG.error("lost the controller Lease while running; exiting so that this replica restarts as a standby");
        Quarkus.asyncExit(1);
    }
}
