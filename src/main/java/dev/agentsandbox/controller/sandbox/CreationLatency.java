package dev.agentsandbox.controller.sandbox;

import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.Sandbox;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The metric {@code agent_sandbox_creation_latency_ms{namespace,launch_type,sandbox_template}}: milliseconds from a
 * Sandbox's creation to its first Ready=True.
 * <p>
 * A DistributionSummary without a base unit, named {@code agent.sandbox.creation.latency.ms}: Micrometer's
 * Prometheus naming turns dots into underscores and appends a base unit only when one is set, so the exported name
 * is exactly the upstream one ({@code _count}, {@code _sum}, {@code _max} and {@code _bucket} series). A Timer would
 * be exported in seconds ({@code ..._seconds}), which is not the upstream name.
 */
@ApplicationScoped
public class CreationLatency {

    /** The Micrometer name; exported to Prometheus as {@code agent_sandbox_creation_latency_ms}. */
    public static final String METRIC = "agent.sandbox.creation.latency.ms";

    /** Bucket bounds in milliseconds, from a warm adoption (tens of ms) to a slow image pull (minutes). */
    private static final double[] BUCKETS_MS = {50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, 300000
    };

    private static final int REMEMBERED = 10_000;

    /** UIDs already recorded, so a Pod that flaps Ready is not counted twice; bounded, oldest forgotten first. */
    private final Set<String> recorded = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    @Inject
    MeterRegistry registry;

    /** Records the latency of {@code sandbox} becoming Ready at {@code now}, once per Sandbox. */
    public synchronized void readyFirstTime(Sandbox sandbox, Instant now) {
        String created = sandbox.getMetadata().getCreationTimestamp();
        if (created == null || !recorded.add(sandbox.getMetadata().getUid())) {
            return;
        }
        long ms = Math.max(
                0,
                Duration.between(OffsetDateTime.parse(created).toInstant(), now).toMillis());
        Map<String, String> labels = sandbox.getMetadata().getLabels() == null
                ? Map.of()
                : sandbox.getMetadata().getLabels();
        Map<String, String> annotations = sandbox.getMetadata().getAnnotations() == null
                ? Map.of()
                : sandbox.getMetadata().getAnnotations();
        DistributionSummary.builder(METRIC)
                .description("Milliseconds from a Sandbox's creation until it is first Ready")
                .tag("namespace", sandbox.getMetadata().getNamespace())
                .tag("launch_type", labels.getOrDefault(Labels.LAUNCH_TYPE, "none"))
                .tag("sandbox_template", annotations.getOrDefault(Labels.SANDBOX_TEMPLATE_REF, "none"))
                .serviceLevelObjectives(BUCKETS_MS)
                .register(registry)
                .record(ms);
    }
}
