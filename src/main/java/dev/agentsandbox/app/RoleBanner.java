package dev.agentsandbox.app;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Says in the startup log which role this process runs. */
@Singleton
public class RoleBanner {

    private static final Logger LOG = Logger.getLogger(RoleBanner.class);

    void onStart(@Observes StartupEvent event, SandboxConfig config) {
        LOG.infof("agent-sandbox starting in role %s", config.role().id());
    }
}
