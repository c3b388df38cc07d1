package dev.agentsandbox.reliability;

import dev.agentsandbox.testing.EmbeddedApiServerResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts recording {@link ControllerFaultsIT#calls} on the embedded API server before the application boots, so the
 * informers' first lists and watches are counted too. Ordered after the embedded API server's own resource.
 */
public class ApiCallRecording implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        EmbeddedApiServerResource.server().faults().observe(ControllerFaultsIT.calls);
        return Map.of();
    }

    @Override
    public void stop() {
        // The server goes away with its own resource.
    }

    @Override
    public int order() {
        return 1;
    }
}
