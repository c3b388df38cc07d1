package dev.agentsandbox.app;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Arrays;
import org.jboss.logging.Logger;

/** Runs the selected role's main, or serves until shutdown. */
public class RoleApplication implements QuarkusApplication {

    private static final Logger LOG = Logger.getLogger(RoleApplication.class);

    @Inject
    SandboxConfig config;

    @Inject
    @Any
    Instance<RoleMain> mains;

    /**
     * For a serving role: stop right after start-up instead of serving. The build starts the agent role this way
     * once, with {@code -XX:ArchiveClassesAtExit}, to record the class archive local mode starts agents with.
     */
    static final String EXIT_AFTER_START = "--exit-after-start";

    @Override
    public int run(String... args) throws Exception {
        Role role = config.role();
        for (RoleMain main : mains) {
            if (main.role() == role) {
                return main.run(args);
            }
        }
        if (Arrays.asList(args).contains(EXIT_AFTER_START)) {
            LOG.infof("role %s started; stopping as asked (" + EXIT_AFTER_START + ")", role.id());
            return 0;
        }
        LOG.infof("role %s is serving; stop it with Ctrl-C or SIGTERM", role.id());
        Quarkus.waitForExit();
        return 0;
    }
}
