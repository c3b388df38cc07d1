package dev.agentsandbox.app;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Role-specific defaults for the Quarkus runtime (listener, logging), so that one build serves every role.
 * The ordinal sits just above {@code application.properties} and below the environment and system properties,
 * so an operator can still override any of these.
 */
public class RoleConfigSourceFactory implements ConfigSourceFactory {

    static final int ORDINAL = 255;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue value = context.getValue(Role.CONFIG_KEY);
        if (value == null || value.getValue() == null) {
            return Collections.emptyList();
        }
        return Role.parse(value.getValue())
                .map(role -> List.<ConfigSource>of(
                        new MapBackedConfigSource("sandbox-role-defaults", defaults(role, inPod()), ORDINAL) {}))
                .orElse(Collections.emptyList());
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /** Kubernetes sets this variable in every container; outside a pod no role listens on all interfaces. */
    static boolean inPod() {
        return System.getenv("KUBERNETES_SERVICE_HOST") != null;
    }

    static Map<String, String> defaults(Role role, boolean inPod) {
        Map<String, String> d = new HashMap<>();
        String podHost = inPod ? "0.0.0.0" : "127.0.0.1";
        switch (role) {
            case AGENT -> {
                d.put("quarkus.http.host", podHost);
                d.put("quarkus.http.port", "8080");
            }
            case ROUTER -> {
                // The router's own listener has the wire contract's port; Quarkus's serves health and metrics.
                d.put("sandbox.router.host", podHost);
                d.put("sandbox.router.port", "8080");
                d.put("quarkus.http.host", podHost);
                d.put("quarkus.http.port", "8081");
            }
            case CONTROLLER -> {
                // Health and metrics only; never the router's or the agent's port.
                d.put("quarkus.http.host", podHost);
                d.put("quarkus.http.port", "8081");
            }
            case CLIENT -> {
                d.put("quarkus.http.host-enabled", "false");
                d.put("quarkus.log.console.stderr", "true");
                d.put("quarkus.banner.enabled", "false");
                d.put("quarkus.log.level", "WARN");
            }
            case LOCAL -> {
                d.put("sandbox.router.host", "127.0.0.1");
                d.put("sandbox.router.port", "18080");
                // one router event loop: the machine's cores go to the agent processes local mode starts
                d.put("sandbox.router.event-loops", "1");
                d.put("quarkus.http.host", "127.0.0.1");
                d.put("quarkus.http.port", "18081");
                // The demo owners reach their sandboxes with their own tokens, bound to the sandbox's owner label.
                d.put("sandbox.router.owner-tokens.enabled", "true");
                d.put("quarkus.log.console.stderr", "true");
            }
        }
        if (!role.runsControllers()) {
            // No reconcilers run here, so the operator SDK's readiness check would keep /q/health/ready down forever.
            d.put(
                    "quarkus.smallrye-health.check.\"io.quarkiverse.operatorsdk.runtime.OperatorHealthCheck\".enabled",
                    "false");
        }
        return d;
    }
}
