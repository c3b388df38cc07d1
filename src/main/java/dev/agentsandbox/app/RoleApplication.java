package dev.agentsandbox.app;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Runs the selected role's main, or serves until shutdown. */
public class RoleApplication implements QuarkusApplication {

    private static final Logger LOG = Logger.getLogger(RoleApplication.class);

    @Inject
    SandboxConfig config;

    @Inject
    @Any
    Instance<RoleMain> mains;

    @Override
    public int run(String... args) throws Exception {
        Role role = config.role();
        for (RoleMain main : mains) {
            if (main.role() == role) {
                return main.run(args);
            }
        }
        LOG.infof("role %s is serving; stop it with Ctrl-C or SIGTERM", role.id());
        Quarkus.waitForExit();
        return 0;
    }
}
