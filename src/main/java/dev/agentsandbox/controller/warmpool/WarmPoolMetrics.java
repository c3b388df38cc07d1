package dev.agentsandbox.controller.warmpool;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pool metrics by namespace and pool: {@code agent_sandbox_warm_pool_size}, {@code agent_sandbox_warm_pool_ready},
 * {@code agent_sandbox_warm_pool_members_created_total} and {@code agent_sandbox_warm_pool_members_deleted_total}.
 */
@Singleton
public class WarmPoolMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger[]> gauges = new ConcurrentHashMap<>();

    @Inject
    public WarmPoolMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void observed(String namespace, String pool, int size, int ready) {
        AtomicInteger[] values = gauges.computeIfAbsent(namespace + "/" + pool, k -> {
            AtomicInteger[] v = {new AtomicInteger(), new AtomicInteger()};
            Tags tags = tags(namespace, pool);
            Gauge.builder("agent.sandbox.warm.pool.size", v[0], AtomicInteger::get)
                    .tags(tags)
                    .description("Members of the warm pool")
                    .register(registry);
            Gauge.builder("agent.sandbox.warm.pool.ready", v[1], AtomicInteger::get)
                    .tags(tags)
                    .description("Ready members of the warm pool")
                    .register(registry);
            return v;
        });
        values[0].set(size);
        values[1].set(ready);
    }

    void created(String namespace, String pool, int count) {
        if (count > 0) {
            Counter.builder("agent.sandbox.warm.pool.members.created")
                    .tags(tags(namespace, pool))
                    .description("Members created by the warm pool")
                    .register(registry)
                    .increment(count);
        }
    }

    void deleted(String namespace, String pool, int count) {
        if (count > 0) {
            Counter.builder("agent.sandbox.warm.pool.members.deleted")
                    .tags(tags(namespace, pool))
                    .description("Members deleted by the warm pool")
                    .register(registry)
                    .increment(count);
        }
    }

    private static Tags tags(String namespace, String pool) {
        return Tags.of("namespace", namespace, "warm_pool", pool);
    }
}
