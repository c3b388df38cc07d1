package dev.agentsandbox.controller;

import dev.agentsandbox.app.SandboxConfig;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Starts the reconcilers only in the roles that run them. The operator SDK's own start is switched off at build
 * time ({@code quarkus.operator-sdk.start-operator=false}), since one build serves every role.
 */
@Singleton
public class OperatorLifecycle {

    private static final Logger LOG = Logger.getLogger(OperatorLifecycle.class);

    private static volatile boolean stopping;

    private Operator started;

    /** True once this process has begun to shut down its reconcilers. */
    static boolean stopping() {
        return stopping;
    }

    void onStart(@Observes StartupEvent event, SandboxConfig config, Instance<Operator> operator) {
        if (!config.role().runsControllers()) {
            return;
        }
        Operator op = operator.get();
        if (op.getRegisteredControllersNumber() == 0) {
            // JOSDK refuses to start without controllers; a build without reconcilers should still serve
            LOG.warn("no reconcilers are registered; the operator is not started");
            return;
        }
        LOG.infof("starting %d reconcilers", op.getRegisteredControllersNumber());
        op.start();
        started = op;
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        if (started != null) {
            started.stop();
        }
    }
}
