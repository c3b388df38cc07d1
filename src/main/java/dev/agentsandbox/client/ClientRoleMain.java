package dev.agentsandbox.client;

import dev.agentsandbox.app.Role;
import dev.agentsandbox.app.RoleMain;
import jakarta.inject.Singleton;

/** The {@code client} role: runs the command-line client and exits with its code. */
@Singleton
public class ClientRoleMain implements RoleMain {

    @Override
    public Role role() {
        return Role.CLIENT;
    }

    @Override
    public int run(String... args) {
        // The environment is read as a whole: per-owner tokens live in variables named after the owners
        // (ROUTER_TOKEN_ALICE), which no fixed configuration mapping can list.
        return new ClientCli(
                        KubernetesAccess.kubeconfig(), System.getenv(), System.out, System.err, ShutdownHooks.jvm())
                .run(args);
    }
}
