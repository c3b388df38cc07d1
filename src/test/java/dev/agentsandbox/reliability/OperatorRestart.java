package dev.agentsandbox.reliability;

import dev.agentsandbox.controller.claim.ClaimReconciler;
import dev.agentsandbox.controller.claim.ClaimRestarts;
import dev.agentsandbox.controller.warmpool.WarmPoolReconciler;
import dev.agentsandbox.controller.warmpool.WarmPoolRestarts;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.processing.Controller;
import java.time.Duration;
import java.util.List;

/**
 * A controller restart inside one Quarkus application: the running {@link Operator} is stopped (its informers,
 * caches, event queues, retry timers and executors go away, reconciles in flight are waited for), the reconcilers
 * forget their in-process state, and a new Operator with the same reconcilers and configuration is started against
 * the same API server, so it rebuilds everything from a fresh list as a new process would. What survives that a
 * real restart would lose: the reconciler beans' injected collaborators (clients, metrics, the event recorder),
 * which hold no reconcile state.
 */
final class OperatorRestart {

    private static Operator running;

    private OperatorRestart() {}

    /** What a test does while no controller runs. */
    @FunctionalInterface
    interface WhileDown {
        void run() throws Exception;
    }

    /** Stops the current Operator, stays down for {@code downtime}, then starts a new one; returns the new one. */
    static Operator restart(Operator started, Duration downtime) throws Exception {
        return restart(started, () -> Thread.sleep(downtime.toMillis()));
    }

    /**
     * Stops the current Operator, runs {@code whileDown} (for example, writes that a controller which stopped half-way
     * leaves behind), then starts a new one; returns the new one.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static synchronized Operator restart(Operator started, WhileDown whileDown) throws Exception {
        Operator old = running == null ? started : running;
        List<Controller> controllers =
                old.getRegisteredControllers().stream().map(c -> (Controller) c).toList();
        old.stop();
        for (Controller c : controllers) {
            Reconciler<?> reconciler = c.getReconciler();
            if (reconciler instanceof ClaimReconciler claims) {
                ClaimRestarts.forgetProcessState(claims);
            } else if (reconciler instanceof WarmPoolReconciler pools) {
                WarmPoolRestarts.forgetProcessState(pools);
            }
        }
        whileDown.run();
        Operator next = new Operator(old.getConfigurationService());
        for (Controller c : controllers) {
            next.register(c.getReconciler(), (ControllerConfiguration) c.getConfiguration());
        }
        next.start();
        running = next;
        return next;
    }

    /** Stops the Operator the last restart started, if any (the application stops only the one it started). */
    static synchronized void stopRestarted() {
        if (running != null) {
            running.stop();
            running = null;
        }
    }
}
