package dev.agentsandbox.router;

import dev.agentsandbox.app.PreBoot;
import dev.agentsandbox.app.Role;

/**
 * Keeps WebSockets on in the roles that route. Quarkus switches Vert.x WebSockets off JVM-wide
 * ({@code vertx.disableWebsockets=true}, read once by Vert.x) when no WebSocket extension is present, unless the
 * property is already set; the relay needs the server side of the upgrade, so it is set here before Quarkus boots.
 */
public class RouterPreBoot implements PreBoot {

    static final String DISABLE_WEBSOCKETS = "vertx.disableWebsockets";

    @Override
    public void beforeBoot(Role role, String[] args) {
        if (role.runsRouter() && System.getProperty(DISABLE_WEBSOCKETS) == null) {
            System.setProperty(DISABLE_WEBSOCKETS, "false");
        }
    }
}
