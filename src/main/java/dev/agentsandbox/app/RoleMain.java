package dev.agentsandbox.app;

/**
 * What a role does once Quarkus has started. Roles without one (controller, router, agent) serve until they are
 * asked to stop; roles with one (client, local) run it and exit with its code.
 */
public interface RoleMain {

    Role role();

    int run(String... args) throws Exception;
}
