package dev.agentsandbox.agent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Latency and errors of the calls to the model ({@code agent_model_latency_seconds{mode,outcome}},
 * {@code agent_model_errors_total{mode,kind}}): the model is the slow and unreliable part of every chat.
 */
@Singleton
public class ModelMetrics {

    private final MeterRegistry registry;

    public ModelMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Records one call; {@code failure} is null when the model answered. */
    public void record(String mode, Duration elapsed, AgentFailure failure) {
        String outcome = failure == null ? "success" : failure.status() == 504 ? "timeout" : "error";
        Timer.builder("agent.model.latency")
                .description("Time the model took to answer a chat, including retries")
                .tag("mode", mode)
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry)
                .record(elapsed);
        if (failure != null) {
            Counter.builder("agent.model.errors")
                    .description("Chats the model failed to answer")
                    .tag("mode", mode)
                    .tag("kind", outcome)
                    .register(registry)
                    .increment();
        }
    }
}
