package dev.agentsandbox.agent;

import dev.agentsandbox.app.SandboxConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/** Stops the agent role at start when its model is not configured, naming what is missing. Other roles skip it. */
@Singleton
public class ModelStartupCheck {

    private static final Logger LOG = Logger.getLogger(ModelStartupCheck.class);

    void onStart(@Observes @Priority(1) StartupEvent event, SandboxConfig sandbox, Config config) {
        if (!sandbox.role().runsAgent()) {
            return;
        }
        List<String> missing = ModelEnvironment.missing(name -> config.getOptionalValue(name, String.class));
        if (!missing.isEmpty()) {
            String refusal = ModelEnvironment.refusal(missing);
            LOG.error(refusal);
            throw new IllegalStateException(refusal);
        }
    }
}
