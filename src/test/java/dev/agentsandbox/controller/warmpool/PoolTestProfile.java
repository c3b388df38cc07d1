package dev.agentsandbox.controller.warmpool;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Controller role with short timings, shared by the warm pool and claim tests (one Quarkus boot for both). */
public class PoolTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "sandbox.role", "controller",
                "sandbox.warm-pool.not-ready-grace-period", "3s",
                "sandbox.warm-pool.max-replicas", "400",
                "sandbox.claim.warm-wait", "2s");
    }
}
