package dev.agentsandbox.bench;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Controller role with production timings (a 5 minute not-Ready grace period: under a benchmark's load a short one
 * would replace members that are merely slow) and without the mock server's per-request log line.
 */
public class BenchProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "sandbox.role", "controller",
                "quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN");
    }
}
