package dev.agentsandbox.controller.claim;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * The idle policy's counters (docs/idle.md), tagged {@code namespace} and {@code sandbox_template}: Micrometer's
 * Prometheus naming turns {@code agent.sandbox.idle.suspensions} into {@code agent_sandbox_idle_suspensions_total},
 * and so on for deletions and wakes. Suspensions against wakes is the sleep a template's sandboxes get.
 */
@Singleton
public class IdleMetrics {

    static final String SUSPENSIONS = "agent.sandbox.idle.suspensions";
    static final String DELETIONS = "agent.sandbox.idle.deletions";
    static final String WAKES = "agent.sandbox.idle.wakes";

    private final MeterRegistry registry;

    @Inject
    public IdleMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void suspended(String namespace, String template) {
        count(SUSPENSIONS, "Claimed sandboxes suspended by their idle policy", namespace, template);
    }

    void deleted(String namespace, String template) {
        count(DELETIONS, "Claims deleted by their idle policy", namespace, template);
    }

    void woken(String namespace, String template) {
        count(WAKES, "Idle-suspended sandboxes seen running again (woken by the router)", namespace, template);
    }

    private void count(String name, String description, String namespace, String template) {
        Counter.builder(name)
                .description(description)
                .tags("namespace", namespace, "sandbox_template", template)
                .register(registry)
                .increment();
    }
}
