package dev.agentsandbox.controller.claim;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The claim metrics of docs/api.md section 9, recorded once per claim when it first becomes Ready. Micrometer's Prometheus
 * naming turns {@code agent.sandbox.claim.controller.startup.latency.ms} into
 * {@code agent_sandbox_claim_controller_startup_latency_ms} (no base unit, so no {@code _seconds} suffix) and the
 * counter {@code agent.sandbox.claim.creation} into {@code agent_sandbox_claim_creation_total}.
 */
@Singleton
public class ClaimMetrics {

    static final String CONTROLLER_LATENCY = "agent.sandbox.claim.controller.startup.latency.ms";
    static final String CLIENT_LATENCY = "agent.sandbox.client.claim.startup.latency.ms";
    static final String CREATIONS = "agent.sandbox.claim.creation";
    private static final double[] BUCKETS_MS = {
        5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000, 180000
    };

    private final MeterRegistry registry;

    @Inject
    public ClaimMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void firstReady(
            String namespace, String launchType, String template, Duration controllerLatency, Duration clientLatency) {
        DistributionSummary.builder(CONTROLLER_LATENCY)
                .description("Claim first observed by the controller to Ready, in milliseconds")
                .tags("launch_type", launchType, "sandbox_template", template)
                .serviceLevelObjectives(BUCKETS_MS)
                .register(registry)
                .record(controllerLatency.toNanos() / 1e6);
        if (clientLatency != null) {
            DistributionSummary.builder(CLIENT_LATENCY)
                    .description("Claim requested by the client (client-first-requested-at) to Ready, in milliseconds")
                    .tags("launch_type", launchType, "sandbox_template", template)
                    .serviceLevelObjectives(BUCKETS_MS)
                    .register(registry)
                    .record(clientLatency.toNanos() / 1e6);
        }
        Counter.builder(CREATIONS)
                .description("Claims that became Ready")
                .tags("namespace", namespace, "launch_type", launchType, "sandbox_template", template)
                .register(registry)
                .increment();
    }
}
