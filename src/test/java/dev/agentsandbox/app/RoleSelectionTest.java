package dev.agentsandbox.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.app.Main.RoleSelection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoleSelectionTest {

    @Test
    void firstArgumentWinsAndIsConsumed() {
        RoleSelection s = RoleSelection.of(new String[] {"client", "--name", "alice"}, "router", null);
        assertThat(s.role()).isEqualTo(Role.CLIENT);
        assertThat(s.args()).containsExactly("--name", "alice");
        assertThat(s.error()).isNull();
    }

    @Test
    void environmentPicksTheRoleWhenNoArgumentNamesOne() {
        RoleSelection s = RoleSelection.of(new String[] {"--serve"}, "router", null);
        assertThat(s.role()).isEqualTo(Role.ROUTER);
        assertThat(s.args()).containsExactly("--serve");
    }

    @Test
    void unknownRoleIsRefusedWithTheChoices() {
        RoleSelection s = RoleSelection.of(new String[0], "proxy", null);
        assertThat(s.role()).isNull();
        assertThat(s.error()).contains("unknown role \"proxy\"").contains("controller, router, agent, client, local");
    }

    @Test
    void missingRoleSaysHowToGiveOne() {
        RoleSelection s = RoleSelection.of(new String[] {"serve"}, null, null);
        assertThat(s.error())
                .contains("no role given")
                .contains("\"serve\" is not one")
                .contains("SANDBOX_ROLE");
    }

    @Test
    void noRoleListensOnAllInterfacesOutsideAPodNorOnPort8080UnlessRouterOrAgent() {
        for (Role role : Role.values()) {
            Map<String, String> d = RoleConfigSourceFactory.defaults(role, false);
            for (String host : List.of("quarkus.http.host", "sandbox.router.host")) {
                assertThat(d.getOrDefault(host, "127.0.0.1"))
                        .as(role.id() + " " + host)
                        .isEqualTo("127.0.0.1");
            }
            if (role != Role.AGENT) {
                assertThat(d.get("quarkus.http.port")).as(role.id()).isNotEqualTo("8080");
            }
            if (role != Role.ROUTER) {
                assertThat(d.get("sandbox.router.port")).as(role.id()).isNotEqualTo("8080");
            }
        }
        // The router's own listener has the wire contract's port; Quarkus's (health, metrics) the management one.
        assertThat(RoleConfigSourceFactory.defaults(Role.ROUTER, true))
                .containsEntry("sandbox.router.host", "0.0.0.0")
                .containsEntry("sandbox.router.port", "8080")
                .containsEntry("quarkus.http.port", "8081");
        assertThat(RoleConfigSourceFactory.defaults(Role.LOCAL, false))
                .containsEntry("sandbox.router.port", "18080")
                .containsEntry("sandbox.router.event-loops", "1")
                .containsEntry("quarkus.http.port", "18081");
        assertThat(RoleConfigSourceFactory.defaults(Role.CLIENT, true))
                .containsEntry("quarkus.http.host-enabled", "false");
        assertThat(RoleConfigSourceFactory.defaults(Role.ROUTER, true)).containsEntry("quarkus.http.host", "0.0.0.0");
        assertThat(RoleConfigSourceFactory.defaults(Role.CONTROLLER, true)).containsEntry("quarkus.http.port", "8081");
        assertThat(RoleConfigSourceFactory.defaults(Role.LOCAL, true)).containsEntry("quarkus.http.host", "127.0.0.1");
    }

    @Test
    void onlyRolesThatRunTheOperatorKeepItsReadinessCheck() {
        String check =
                "quarkus.smallrye-health.check.\"io.quarkiverse.operatorsdk.runtime.OperatorHealthCheck\".enabled";
        for (Role role : Role.values()) {
            Map<String, String> d = RoleConfigSourceFactory.defaults(role, true);
            if (role.runsControllers()) {
                assertThat(d).as(role.id()).doesNotContainKey(check);
            } else {
                assertThat(d).as(role.id()).containsEntry(check, "false");
            }
        }
    }
}
