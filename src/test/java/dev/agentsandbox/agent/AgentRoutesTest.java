package dev.agentsandbox.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.app.Role;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AgentRoutesTest {

    @ParameterizedTest
    @EnumSource(value = Role.class, names = "AGENT", mode = EnumSource.Mode.EXCLUDE)
    void otherRolesExposeNoAgentEndpoint(Role role) {
        Vertx vertx = Vertx.vertx();
        try {
            Router router = Router.router(vertx);
            new AgentRoutes(() -> role, null, null).register(router);
            assertThat(router.getRoutes()).isEmpty();
        } finally {
            vertx.close();
        }
    }
}
