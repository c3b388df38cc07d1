package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Conditions;
import dev.agentsandbox.api.Sandbox;
import dev.agentsandbox.api.ShutdownPolicy;
import dev.agentsandbox.controller.ObjectKey;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What happens when a Sandbox's shutdownTime has passed: its Pod and Service are deleted; with shutdownPolicy Delete
 * also its claims and the Sandbox itself (last, so that a crash in between repeats the whole expiry).
 */
final class SandboxExpiration {

    private static final Logger LOG = Logger.getLogger(SandboxExpiration.class);

    private SandboxExpiration() {}

    /** The state to report (shutdownPolicy Retain), or empty when the Sandbox itself was deleted. */
    static Optional<SandboxState> expire(ObservedObjects observed, SandboxObjects objects) {
        Sandbox sandbox = objects.sandbox();
        boolean first = Conditions.find(
                        sandbox.getStatus() == null ? null : sandbox.getStatus().getConditions(), Conditions.READY)
                .map(c -> !Conditions.SANDBOX_EXPIRED.equals(c.getReason()))
                .orElse(true);
        observed.pods().forEach(p -> objects.delete(p, "expiry"));
        if (observed.service() != null) {
            objects.delete(observed.service(), "expiry");
        }
        if (sandbox.getSpec().getShutdownPolicy() == ShutdownPolicy.DELETE) {
            // The garbage collector would remove the claims with the Sandbox; deleting them here keeps the outcome
            // the same where no collector runs, and a crash before the Sandbox's own deletion just repeats this.
            observed.claims().forEach(c -> objects.delete(c, "expiry"));
            announce(objects, "shutdownPolicy Delete: deleting the Sandbox");
            LOG.infof("sandbox %s: expired, deleting it (shutdownPolicy Delete)", ObjectKey.of(sandbox));
            objects.delete(sandbox, "expiry");
            return Optional.empty();
        }
        if (first) {
            announce(objects, "Pod and Service deleted, shutdownPolicy Retain");
        }
        return Optional.of(SandboxState.expired(sandbox));
    }

    private static void announce(SandboxObjects objects, String outcome) {
        Sandbox sandbox = objects.sandbox();
        objects.events()
                .normal(
                        sandbox,
                        Conditions.SANDBOX_EXPIRED,
                        "Sandbox expired at " + sandbox.getSpec().getShutdownTime() + "; " + outcome);
    }
}
